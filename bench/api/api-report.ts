import { cpus, loadavg } from 'node:os';
import { LIVE_WINDOW_SEGMENTS, SECONDS, SEGMENT_MS, VIEWERS, type Ready } from './api-bench-options.ts';
import type { PollCost } from './poll-costs.ts';
import type { Row } from './viewer-load.ts';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));

/** bench:api's printed report: the viewers table, the camrec / peer ratios, and where a poll's time goes. */
export function formatApiReport(ready: Ready, rows: readonly Row[], costs: readonly PollCost[], windowProblems: readonly string[] = []): string[] {
  const cpu = cpus();
  const out: string[] = [];
  out.push('camrec bench:api: concurrent LIVE viewers polling the local playback API (127.0.0.1)');
  out.push(
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), node ${process.version}, load avg at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  out.push(
    `index: 1 camera, ${ready.indexedSegments} segments of ${SEGMENT_MS / 1000} s uploaded through the S3 front and indexed in ${ready.seedSeconds.toFixed(1)} s, then one more every ${SEGMENT_MS / 1000} s (the camera records on); ` +
      `${ready.playlistPaths.length} LIVE session tokens (one per connection, round robin); playlist ${ready.playlistBytes} bytes; ${SECONDS} s per run, closed loop`,
  );
  out.push('');
  const header = `| ${pad('viewers', 7)} | ${pad('target', 33)} | ${pad('req/s', 8, true)} | ${pad('p50 ms', 7, true)} | ${pad('p99 ms', 7, true)} | ${pad('2xx', 8, true)} | ${pad('errors', 6, true)} | ${pad('viewers at 1 poll / 2 s', 23, true)} |`;
  out.push(header, header.replace(/[^|]/g, '-'));
  for (const r of rows) {
    out.push(
      `| ${pad(fmt(r.viewers), 7, true)} | ${pad(r.target, 33)} | ${pad(fmt(r.reqPerS), 8, true)} | ${pad(fmt(r.p50Ms), 7, true)} | ${pad(fmt(r.p99Ms), 7, true)} | ${pad(fmt(r.ok), 8, true)} | ${pad(fmt(r.errors), 6, true)} | ${pad(fmt(r.reqPerS * (SEGMENT_MS / 1000)), 23, true)} |`,
    );
  }
  out.push(
    windowProblems.length === 0
      ? `LIVE window after each camrec run: full (${LIVE_WINDOW_SEGMENTS} segments, the newest at seq ${ready.newestSeq} or later)`
      : `NOT MEASURED AS MEANT: ${windowProblems.join('; ')}`,
  );
  out.push('');
  for (const viewers of VIEWERS) {
    const [c, p] = [
      rows.find((r) => r.viewers === viewers && r.target.startsWith('camrec'))!,
      rows.find((r) => r.viewers === viewers && r.target.startsWith('peer'))!,
    ];
    out.push(
      `ratio at ${fmt(viewers)} viewers: camrec / peer req/s = ${(c.reqPerS / p.reqPerS).toFixed(3)}; p99 camrec / peer = ${(c.p99Ms / Math.max(p.p99Ms, 1)).toFixed(1)}x`,
    );
  }
  out.push('');
  out.push('where a LIVE poll goes (this process, one poll at a time, 300 polls, the same handler):');
  for (const c of costs) out.push(`  index ${pad(c.index, 28)} ${c.wallMs.toFixed(2)} ms wall, ${c.cpuMs.toFixed(2)} ms CPU per poll`);
  out.push(`  ratio dynalite / in-memory CPU per poll (no cache) = ${(costs[0]!.cpuMs / costs[1]!.cpuMs).toFixed(0)}x`);
  out.push(`  ratio dynalite with / without the LIVE cache (min(1 s, target/4) per camera), CPU per poll = ${(costs[2]!.cpuMs / costs[0]!.cpuMs).toFixed(3)}`);
  out.push(
    'errors = connection errors + timeouts + non-2xx answers. "viewers at 1 poll / 2 s" = req/s x segment length: players poll a LIVE playlist about once per target duration.',
  );
  return out;
}
