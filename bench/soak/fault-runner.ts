import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { TEMP_PREFIX } from '../../device/buffer/atomic-file.ts';
import type { LocalStack } from '../../local/stack/local-stack.ts';
import type { FaultProxy } from '../../test/support/fault-proxy.ts';
import type { AgentChild } from './agent-child.ts';
import type { BacklogWatch, FaultOutcome, FaultWatch } from './backlog-watch.ts';
import { FaultKind, type ScheduledFault } from './soak-schedule.ts';

const RESTART_DELAY_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the faults act on. */
export interface FaultTargets {
  readonly stack: LocalStack;
  readonly proxy: FaultProxy;
  readonly agents: readonly AgentChild[];
  readonly spoolDirs: readonly string[];
  readonly ids: readonly string[];
  readonly segmentSeconds: number;
  readonly watch: BacklogWatch;
  /** When the recording phase started (the schedule's zero). */
  readonly t0: number;
  readonly say: (line: string) => void;
}

/** Seconds since the recording phase started, as the soak's log lines print them. */
export const elapsedS = (t0: number): string => ((Date.now() - t0) / 1000).toFixed(1);

/** Kills `agent` with SIGKILL the moment a segment's temp spool file appears (mid write); true when the temp file was left behind. */
async function killDuringSpoolWrite(agent: AgentChild, spoolDir: string, timeoutMs: number): Promise<{ hit: boolean; file?: string }> {
  let watcher: FSWatcher | undefined;
  try {
    const file = await new Promise<string | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), timeoutMs);
      watcher = watch(spoolDir, (_event, name) => {
        if (!name || !name.startsWith(TEMP_PREFIX) || !name.includes('segments_') || !agent.running) return;
        clearTimeout(t);
        void agent.kill9();
        resolve(name);
      });
    });
    if (!file) {
      await agent.kill9();
      return { hit: false };
    }
    await agent.kill9();
    return { hit: existsSync(join(spoolDir, file)), file };
  } finally {
    watcher?.close();
  }
}

/** Waits for the fault's time, does it (and undoes it after its duration), and has its recovery watched. */
export async function runFault(f: ScheduledFault, x: FaultTargets): Promise<void> {
  await sleep(Math.max(0, x.t0 + f.atMs - Date.now()));
  const cam = f.camera !== undefined ? x.ids[f.camera] : undefined;
  const outcome: FaultOutcome = { label: f.kind, camera: cam, startS: (Date.now() - x.t0) / 1000, endS: 0, recoveryS: undefined, note: '' };
  const w: FaultWatch = { outcome, endAtMs: undefined, cams: f.camera !== undefined ? [f.camera] : x.ids.map((_, i) => i) };
  if (f.kind !== FaultKind.EVENT) x.watch.watches.push(w);
  const end = () => {
    w.endAtMs = Date.now();
    outcome.endS = (w.endAtMs - x.t0) / 1000;
    x.say(`  ${elapsedS(x.t0)} s  end of ${f.kind}${cam ? ` (${cam})` : ''}`);
  };
  x.say(`  ${elapsedS(x.t0)} s  ${f.kind}${cam ? ` (${cam})` : ''}${f.durationMs ? ` for ${(f.durationMs / 1000).toFixed(1)} s` : ''}`);
  switch (f.kind) {
    case FaultKind.NETWORK_CUT:
      // The proxy stops listening and cuts the open connections.
      await x.proxy.setFault({ kind: 'refuse' });
      await sleep(f.durationMs);
      await x.proxy.setFault(undefined);
      end();
      break;
    case FaultKind.S3_503:
      // New connections get 503; open keep-alive connections are cut so the agents reconnect into it.
      await x.proxy.setFault({ kind: 'http-status', status: 503 });
      x.proxy.cutAll();
      await sleep(f.durationMs);
      await x.proxy.setFault(undefined);
      end();
      break;
    case FaultKind.IOT_DOWN: {
      await x.stack.iot.stop();
      await sleep(f.durationMs);
      await x.stack.iot.restart();
      end();
      const expired = x.watch.last.filter((s) => s?.credentialsExpireAt && Date.parse(s.credentialsExpireAt) < Date.now()).length;
      outcome.note = `credentials expired during the outage: ${expired ? `yes (${expired} cameras reported expired credentials when it ended)` : 'see ExpiredToken / credential errors in the failure kinds'}`;
      break;
    }
    case FaultKind.KILL: {
      const a = x.agents[f.camera!]!;
      await a.kill9();
      await sleep(RESTART_DELAY_MS);
      await a.restart();
      end();
      break;
    }
    case FaultKind.KILL_MID_SPOOL_WRITE: {
      const a = x.agents[f.camera!]!;
      let hit = false;
      let tries = 0;
      let file: string | undefined;
      while (!hit && tries < 3) {
        tries++;
        const r = await killDuringSpoolWrite(a, x.spoolDirs[f.camera!]!, x.segmentSeconds * 4000);
        hit = r.hit;
        file = r.file ?? file;
        await sleep(RESTART_DELAY_MS);
        await a.restart();
        if (!hit) await sleep(x.segmentSeconds * 1000);
      }
      end();
      outcome.note = hit
        ? `a temp spool file was left half-written (${tries} kill(s))`
        : `did not catch a write in ${tries} kills (the temp files were renamed before SIGKILL landed)`;
      break;
    }
    case FaultKind.EVENT: {
      const ok = await x.agents[f.camera!]!.startEvent('motion', 3);
      outcome.note = ok ? 'event started' : 'event refused';
      break;
    }
  }
}
