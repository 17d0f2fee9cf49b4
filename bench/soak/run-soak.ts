import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../local/stack/local-stack.ts';
import type { RequestCounts } from '../cost/request-counts.ts';
import { BacklogWatch, type FaultOutcome } from './backlog-watch.ts';
import { elapsedS, runFault } from './fault-runner.ts';
import { installRequestMeter, type RequestMeter } from './request-meter.ts';
import { checkCameras, windDown } from './soak-checks.ts';
import type { SoakOptions } from './soak-options.ts';
import { passes, type CameraResult } from './soak-report.ts';
import { measureTotals, toRequestCounts, type MeasuredTotals } from './soak-requests.ts';
import { FaultKind, credentialLifetimeSeconds, soakSchedule, tinySpoolBytes } from './soak-schedule.ts';
import {
  NORMAL_SPOOL_BYTES,
  SAMPLE_MEDIA_BYTES_PER_SECOND,
  readContentKeyPrivatePem,
  soakPacking,
  startAgentsRecording,
  startSoakStack,
  stopSoakRig,
  writeCameraConfigs,
  type SoakCompaction,
  type SoakRig,
} from './soak-stack.ts';

export interface SoakResult {
  /** Failed PUT attempts over all cameras, by error code or name, as the agents logged them. */
  failureKinds: Record<string, number>;
  cameras: CameraResult[];
  faults: FaultOutcome[];
  pass: boolean;
  totals: MeasuredTotals;
  requestCounts: RequestCounts;
  /** Packed history: packer runs, packs written, segments packed (all cameras). */
  compaction: SoakCompaction;
  /** Lines printed (also given to `out` as they come). */
  lines: string[];
  dataDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The soak, step by step: start the stack and the cameras (soak-stack.ts), run the fault
 * schedule while watching every backlog (fault-runner.ts, backlog-watch.ts), wind down and
 * check every camera's segments against the bucket and the index (soak-checks.ts), then
 * the request counts for the report. A failed run keeps its data dir.
 */
export async function runSoak(opts: SoakOptions, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<SoakResult> {
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    out(l);
  };
  const runMs = Math.round(opts.minutes * 60_000);
  const credentialSeconds = credentialLifetimeSeconds(runMs);
  const schedule = soakSchedule(runMs, opts.cameras);
  const cut = schedule.find((f) => f.kind === FaultKind.NETWORK_CUT)!;
  const tinySpool = tinySpoolBytes(cut.durationMs, SAMPLE_MEDIA_BYTES_PER_SECOND);
  const rig: SoakRig = { dataDir: await mkdtemp(join(tmpdir(), 'camrec-soak-')), agents: [], spoolDirs: [] };
  const { dataDir, agents } = rig;
  const ids = Array.from({ length: opts.cameras }, (_, i) => `soak-cam-${String(i).padStart(2, '0')}`);
  const meter = installRequestMeter();
  let passed = false;
  try {
    say(
      `soak: ${opts.cameras} cameras x ${opts.minutes} min, ${opts.segmentSeconds} s segments, sample clip looped in real time; credentials live ${credentialSeconds} s; camera ${ids.at(-1)} spool cap ${(tinySpool / 1048576).toFixed(1)} MiB (the others ${NORMAL_SPOOL_BYTES / 1048576} MiB); data ${dataDir}`,
    );
    const packing = soakPacking(runMs);
    const { stack, proxy, compaction } = await startSoakStack(rig, ids, { segmentSeconds: opts.segmentSeconds, credentialSeconds, packing });
    say(`soak: history packed in ${packing.periodMs / 1000} s periods, ${packing.graceMs / 1000} s after each ends, hot copies deleted at once`);
    const contentKeyPrivatePem = await readContentKeyPrivatePem(dataDir);
    await writeCameraConfigs(rig, stack, proxy, ids, { segmentSeconds: opts.segmentSeconds, credentialSeconds, tinySpoolBytes: tinySpool });
    await startAgentsRecording(rig);

    const t0 = Date.now();
    const watch = new BacklogWatch(agents);
    const targets = { stack, proxy, agents, spoolDirs: rig.spoolDirs, ids, segmentSeconds: opts.segmentSeconds, watch, t0, say };
    await Promise.all([...schedule.map((f) => runFault(f, targets)), sleep(runMs)]);
    const codes = await windDown(rig, stack, watch, packing, t0, say);
    meter.pause();
    say(`  ${elapsedS(t0)} s  agents exited with ${codes.join(' ')}; verifying bucket and index`);

    const { results, keys, events } = await checkCameras(rig, stack, watch, {
      contentKeyPrivatePem,
      probeEvery: opts.probeAll ? 1 : 10,
      packPeriodMs: packing.periodMs,
    });
    const totals = stackTotals(stack, meter);
    const segments = results.reduce((s, r) => s + r.uploaded + r.notIndexed, 0);
    const design = JSON.parse(await readFile(new URL('../cost/requests-per-segment.json', import.meta.url), 'utf8')) as RequestCounts;
    const requestCounts = toRequestCounts(
      totals,
      { segments, keys, events, packs: compaction.packs, packedSegments: compaction.packedSegments, packRuns: compaction.runs },
      design,
      new Date(),
      `npm run soak -- --minutes ${opts.minutes} --cameras ${opts.cameras}`,
    );
    const faults = watch.watches.map((w) => w.outcome);
    passed = results.every(passes);
    const failureKinds: Record<string, number> = {};
    for (const a of agents) for (const [k, n] of a.ledger.failureKinds) failureKinds[k] = (failureKinds[k] ?? 0) + n;
    return { failureKinds, cameras: results, faults, pass: passed, totals, requestCounts, compaction, lines, dataDir };
  } finally {
    await stopSoakRig(rig);
    meter.uninstall();
    // A failed run keeps its data (agent logs, spools, bucket) for the report.
    if (!opts.keep && passed) await rm(dataDir, { recursive: true, force: true });
  }
}

/** The requests the meter saw, sorted by the stack's part that served them. */
function stackTotals(stack: LocalStack, meter: RequestMeter): MeasuredTotals {
  const ports = {
    front: stack.front.port,
    s3rver: Number(new URL(stack.s3rverEndpoint).port),
    dynalite: Number(new URL(stack.info.dynamoEndpoint).port),
    api: stack.api.port,
  };
  return measureTotals(meter.requests, ports);
}
