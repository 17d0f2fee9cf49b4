import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** utime + stime of a process, in seconds (/proc/{pid}/stat fields 14 and 15); 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** VmRSS and VmHWM (peak) in bytes from /proc/{pid}/status, and Pss from smaps_rollup (shared pages split among their users). */
export function memory(pid: number): { rss: number; hwm: number; pss: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (text: string, name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? 0) * 1024;
    let pss = 0;
    try {
      pss = kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
    } catch {
      // no smaps_rollup: leave 0
    }
    return { rss: kb(s, 'VmRSS'), hwm: kb(s, 'VmHWM'), pss };
  } catch {
    return { rss: 0, hwm: 0, pss: 0 };
  }
}

/** The direct children of a process (/proc/{pid}/task/{pid}/children). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface Measured {
  /** % of one core over the window. */
  cpuPercent: number;
  /** Highest VmRSS (summed over the process and its children) sampled each second. */
  steadyPeakRssBytes: number;
  /** Highest Pss sum sampled (shared library pages counted once across processes). */
  steadyPeakPssBytes: number;
  lifetimePeakRssBytes: number;
  /** How many processes were measured (the process plus the children seen). */
  processes: number;
  /** The same per process: the process first, then its children. */
  parts: Array<{ pid: number; cpuPercent: number; peakRssBytes: number }>;
}

/**
 * Samples a running process (and, with `withChildren`, its child processes, e.g. the
 * agent's ffmpeg) from `warmupSeconds` for `seconds`: CPU over the window, peak RSS/PSS.
 */
export async function measure(pid: number, o: { warmupSeconds: number; seconds: number; withChildren?: boolean }): Promise<Measured> {
  await sleep(o.warmupSeconds * 1000);
  const family = () => [pid, ...(o.withChildren ? childrenOf(pid) : [])];
  const cpuAtStart = new Map<number, number>();
  const cpuLast = new Map<number, number>();
  for (const p of family()) cpuAtStart.set(p, cpuSeconds(p));
  const t0 = process.hrtime.bigint();
  let peakRss = 0;
  let peakPss = 0;
  const peakRssOf = new Map<number, number>();
  for (let i = 0; i < o.seconds; i++) {
    await sleep(1000);
    let rss = 0;
    let pss = 0;
    for (const p of family()) {
      if (!cpuAtStart.has(p)) cpuAtStart.set(p, 0);
      cpuLast.set(p, cpuSeconds(p));
      const m = memory(p);
      peakRssOf.set(p, Math.max(peakRssOf.get(p) ?? 0, m.rss));
      rss += m.rss;
      pss += m.pss;
    }
    peakRss = Math.max(peakRss, rss);
    peakPss = Math.max(peakPss, pss);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  let cpu = 0;
  const parts: Measured['parts'] = [];
  for (const [p, start] of cpuAtStart) {
    const used = (cpuLast.get(p) ?? cpuSeconds(p)) - start;
    cpu += used;
    parts.push({ pid: p, cpuPercent: (100 * used) / wall, peakRssBytes: peakRssOf.get(p) ?? 0 });
  }
  return {
    cpuPercent: (100 * cpu) / wall,
    steadyPeakRssBytes: peakRss,
    steadyPeakPssBytes: peakPss,
    lifetimePeakRssBytes: memory(pid).hwm,
    processes: cpuAtStart.size,
    parts,
  };
}
