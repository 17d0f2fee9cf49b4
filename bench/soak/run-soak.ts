import { existsSync, watch, type FSWatcher } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AgentStatus } from '../../device/core/agent-status.ts';
import { TEMP_PREFIX } from '../../device/buffer/atomic-file.ts';
import { emulatorS3Client } from '../../local/emulators/start-s3rver.ts';
import { localDeviceConfig, seedSequenceState } from '../../local/stack/agent-camera-runner.ts';
import { startLocalStack, type LocalStack } from '../../local/stack/local-stack.ts';
import type { LocalPacking } from '../../local/stack/local-packing.ts';
import { startFaultProxy, type FaultProxy } from '../../test/support/fault-proxy.ts';
import type { RequestCounts } from '../cost/request-counts.ts';
import { AgentChild } from './agent-child.ts';
import { newLedger } from './camera-ledger.ts';
import { installRequestMeter } from './request-meter.ts';
import { SoakHarnessError } from './soak-errors.ts';
import type { SoakOptions } from './soak-options.ts';
import { compareCamera, formatTable, passes, type CameraResult } from './soak-report.ts';
import { measureTotals, toRequestCounts, type MeasuredTotals } from './soak-requests.ts';
import { FaultKind, credentialLifetimeSeconds, refreshAheadSeconds, soakSchedule, tinySpoolBytes, type ScheduledFault } from './soak-schedule.ts';
import { readCameraStore } from './stored-inventory.ts';

/** The sample clip's media rate (~400 kbit/s video + 64 kbit/s audio + TS overhead), bytes per second. */
export const SAMPLE_MEDIA_BYTES_PER_SECOND = 62_000;
const POLL_MS = 1000;
const RESTART_DELAY_MS = 1000;
const DRAIN_TIMEOUT_MS = 120_000;
const NORMAL_SPOOL_BYTES = 512 * 1024 * 1024;

/**
 * The soak packs history as the cloud does, with a short pack period so a run packs many
 * camera-periods (and late segments from the backlogs into follow-up packs): a tenth of
 * the run, 10 to 60 s, packed half a period after it ends; hot copies deleted at once.
 */
export function soakPacking(runMs: number): LocalPacking {
  const periodMs = Math.min(60_000, Math.max(10_000, Math.round(runMs / 10 / 1000) * 1000));
  return { periodMs, graceMs: periodMs / 2, drainMs: 0, sweepMs: 2000 };
}

export interface FaultOutcome {
  label: string;
  camera: string | undefined;
  startS: number;
  endS: number;
  /** Seconds from the fault's end until the backlog drained (undefined: not before the run ended). */
  recoveryS: number | undefined;
  note: string;
}

export interface SoakResult {
  /** Failed PUT attempts over all cameras, by error code or name, as the agents logged them. */
  failureKinds: Record<string, number>;
  cameras: CameraResult[];
  faults: FaultOutcome[];
  pass: boolean;
  totals: MeasuredTotals;
  requestCounts: RequestCounts;
  /** Packed history: packer runs, packs written, segments packed (all cameras). */
  compaction: { runs: number; packs: number; packedSegments: number; unpackable: number };
  /** Lines printed (also given to `out` as they come). */
  lines: string[];
  dataDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

async function spoolSeqs(spoolDir: string): Promise<Set<number>> {
  const out = new Set<number>();
  for (const name of await readdir(spoolDir).catch(() => [] as string[])) {
    const m = /^s-(\d{16})-/.exec(name);
    if (m && name.endsWith('.spool')) out.add(Number(m[1]));
  }
  return out;
}

export async function runSoak(opts: SoakOptions, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<SoakResult> {
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    out(l);
  };
  const runMs = Math.round(opts.minutes * 60_000);
  const credSeconds = credentialLifetimeSeconds(runMs);
  const schedule = soakSchedule(runMs, opts.cameras);
  const cut = schedule.find((f) => f.kind === FaultKind.NETWORK_CUT)!;
  const tinySpool = tinySpoolBytes(cut.durationMs, SAMPLE_MEDIA_BYTES_PER_SECOND);
  const dataDir = await mkdtemp(join(tmpdir(), 'camrec-soak-'));
  const ids = Array.from({ length: opts.cameras }, (_, i) => `soak-cam-${String(i).padStart(2, '0')}`);
  const meter = installRequestMeter();
  let stack: LocalStack | undefined;
  let proxy: FaultProxy | undefined;
  const agents: AgentChild[] = [];
  let passed = false;
  const compaction = { runs: 0, packs: 0, packedSegments: 0, unpackable: 0 };
  try {
    say(
      `soak: ${opts.cameras} cameras x ${opts.minutes} min, ${opts.segmentSeconds} s segments, sample clip looped in real time; credentials live ${credSeconds} s; camera ${ids.at(-1)} spool cap ${(tinySpool / 1048576).toFixed(1)} MiB (the others ${NORMAL_SPOOL_BYTES / 1048576} MiB); data ${dataDir}`,
    );
    const packing = soakPacking(runMs);
    stack = await startLocalStack({
      dataDir,
      cameras: ids.map((id) => ({ id, source: { kind: 'sample' as const } })),
      segmentSeconds: opts.segmentSeconds,
      credentialDurationSeconds: credSeconds,
      packing,
    });
    stack.onPacked((r) => {
      compaction.runs++;
      compaction.packs += r.packs.length;
      compaction.packedSegments += r.packs.reduce((n, p) => n + p.segments, 0);
      compaction.unpackable += r.unpackable.length;
    });
    say(`soak: history packed in ${packing.periodMs / 1000} s periods, ${packing.graceMs / 1000} s after each ends, hot copies deleted at once`);
    proxy = await startFaultProxy({ target: stack.front.endpoint });
    const contentKeyPrivatePem = await readFile(join(dataDir, 'content-key', 'private.pem'), 'utf8');
    const spoolDirs: string[] = [];
    for (const [i, id] of ids.entries()) {
      const dir = join(dataDir, 'cameras', id);
      await mkdir(dir, { recursive: true });
      const device = stack.pki.paths.devices.get(id)!;
      const base = localDeviceConfig(
        {
          spec: { id, source: { kind: 'sample' } },
          dir,
          region: stack.info.region,
          bucket: stack.info.bucket,
          s3Endpoint: proxy.url,
          iotEndpoint: stack.iot.endpoint,
          roleAlias: 'camrec-device',
          caCertPath: stack.pki.paths.caCertPath,
          certPath: device.certPath,
          keyPath: device.keyPath,
          contentKeyPublicPath: join(dataDir, 'content-key', 'public.pem'),
          segmentSeconds: opts.segmentSeconds,
          log: () => {},
        },
        0,
      );
      const spoolDir = join(dir, 'spool');
      spoolDirs.push(spoolDir);
      const config = {
        ...base,
        credentials: { ...base.credentials, refreshAheadSeconds: refreshAheadSeconds(credSeconds), timeoutSeconds: 5 },
        buffer: { spoolDir, spoolMaxBytes: i === ids.length - 1 ? tinySpool : NORMAL_SPOOL_BYTES, writeThrough: true },
        upload: { concurrency: 2, retryBaseSeconds: 0.2, retryMaxSeconds: 5, requestTimeoutSeconds: 10 },
        expectedBitrateKbps: 600,
        log: { level: 'debug' as const },
      };
      const file = join(dir, 'device.json');
      await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
      await seedSequenceState(join(dir, 'state'), Date.now());
      agents.push(new AgentChild(newLedger(id), file, join(dir, 'agent.log')));
    }
    for (const a of agents) a.start();
    const readyBy = Date.now() + 90_000;
    while (!agents.every((a) => a.controlUrl && a.ledger.recorded.size > 0)) {
      if (Date.now() > readyBy)
        throw new SoakHarnessError(
          `agents did not start recording within 90 s: ${agents
            .filter((a) => !a.ledger.recorded.size)
            .map((a) => a.ledger.id)
            .join(', ')} (see ${dataDir}/cameras/*/agent.log; run with --keep)`,
        );
      if (agents.some((a) => !a.running))
        throw new SoakHarnessError(
          `an agent exited at start: ${agents
            .filter((a) => !a.running)
            .map((a) => a.ledger.id)
            .join(', ')}; errors: ${agents.flatMap((a) => a.ledger.errors).join(' | ')}`,
        );
      await sleep(200);
    }

    // Status poller: max backlog per camera, recovery after each fault.
    const t0 = Date.now();
    const el = () => ((Date.now() - t0) / 1000).toFixed(1);
    const maxBacklog = ids.map(() => ({ maxSegments: 0, maxSpoolBytes: 0 }));
    const last: (AgentStatus | undefined)[] = ids.map(() => undefined);
    interface Watch {
      outcome: FaultOutcome;
      endAtMs: number | undefined;
      cams: number[];
    }
    const watches: Watch[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const statuses = await Promise.all(agents.map((a) => a.status()));
        const now = Date.now();
        statuses.forEach((s, i) => {
          last[i] = s;
          if (!s) return;
          maxBacklog[i]!.maxSegments = Math.max(maxBacklog[i]!.maxSegments, s.backlog.segments);
          maxBacklog[i]!.maxSpoolBytes = Math.max(maxBacklog[i]!.maxSpoolBytes, s.spool.bytes);
        });
        for (const w of watches) {
          if (w.endAtMs === undefined || w.outcome.recoveryS !== undefined || now < w.endAtMs) continue;
          if (w.cams.every((i) => statuses[i] && statuses[i]!.backlog.segments <= 1)) w.outcome.recoveryS = Math.round((now - w.endAtMs) / 100) / 10;
        }
        await sleep(POLL_MS);
      }
    })();

    const all = ids.map((_, i) => i);
    const runFault = async (f: ScheduledFault): Promise<void> => {
      await sleep(Math.max(0, t0 + f.atMs - Date.now()));
      const cam = f.camera !== undefined ? ids[f.camera] : undefined;
      const outcome: FaultOutcome = { label: f.kind, camera: cam, startS: (Date.now() - t0) / 1000, endS: 0, recoveryS: undefined, note: '' };
      const w: Watch = { outcome, endAtMs: undefined, cams: f.camera !== undefined ? [f.camera] : all };
      if (f.kind !== FaultKind.EVENT) watches.push(w);
      const end = () => {
        w.endAtMs = Date.now();
        outcome.endS = (w.endAtMs - t0) / 1000;
        say(`  ${el()} s  end of ${f.kind}${cam ? ` (${cam})` : ''}`);
      };
      say(`  ${el()} s  ${f.kind}${cam ? ` (${cam})` : ''}${f.durationMs ? ` for ${(f.durationMs / 1000).toFixed(1)} s` : ''}`);
      switch (f.kind) {
        case FaultKind.NETWORK_CUT:
          // The proxy stops listening and cuts the open connections.
          await proxy!.setFault({ kind: 'refuse' });
          await sleep(f.durationMs);
          await proxy!.setFault(undefined);
          end();
          break;
        case FaultKind.S3_503:
          // New connections get 503; open keep-alive connections are cut so the agents reconnect into it.
          await proxy!.setFault({ kind: 'http-status', status: 503 });
          proxy!.cutAll();
          await sleep(f.durationMs);
          await proxy!.setFault(undefined);
          end();
          break;
        case FaultKind.IOT_DOWN: {
          await stack!.iot.stop();
          await sleep(f.durationMs);
          await stack!.iot.restart();
          end();
          const expired = last.filter((s) => s?.credentialsExpireAt && Date.parse(s.credentialsExpireAt) < Date.now()).length;
          outcome.note = `credentials expired during the outage: ${expired ? `yes (${expired} cameras reported expired credentials when it ended)` : 'see ExpiredToken / credential errors in the failure kinds'}`;
          break;
        }
        case FaultKind.KILL: {
          const a = agents[f.camera!]!;
          await a.kill9();
          await sleep(RESTART_DELAY_MS);
          await a.restart();
          end();
          break;
        }
        case FaultKind.KILL_MID_SPOOL_WRITE: {
          const a = agents[f.camera!]!;
          let hit = false;
          let tries = 0;
          let file: string | undefined;
          while (!hit && tries < 3) {
            tries++;
            const r = await killDuringSpoolWrite(a, spoolDirs[f.camera!]!, opts.segmentSeconds * 4000);
            hit = r.hit;
            file = r.file ?? file;
            await sleep(RESTART_DELAY_MS);
            await a.restart();
            if (!hit) await sleep(opts.segmentSeconds * 1000);
          }
          end();
          outcome.note = hit
            ? `a temp spool file was left half-written (${tries} kill(s))`
            : `did not catch a write in ${tries} kills (the temp files were renamed before SIGKILL landed)`;
          break;
        }
        case FaultKind.EVENT: {
          const ok = await agents[f.camera!]!.startEvent('motion', 3);
          outcome.note = ok ? 'event started' : 'event refused';
          break;
        }
      }
    };
    await Promise.all([...schedule.map(runFault), sleep(runMs)]);
    say(`  ${el()} s  run over; waiting for every backlog to drain`);
    const drainBy = Date.now() + DRAIN_TIMEOUT_MS;
    while (Date.now() < drainBy && !last.every((s) => s && s.backlog.segments <= 1)) await sleep(POLL_MS);
    say(`  ${el()} s  backlogs: ${last.map((s) => (s ? s.backlog.segments : '?')).join(' ')}; stopping agents (SIGTERM)`);
    polling = false;
    await poller;
    const codes = await Promise.all(agents.map((a) => a.stop()));
    // Let the indexer finish what the last uploads created.
    let lastIndexed = Date.now();
    const off = stack.onIndexed(() => (lastIndexed = Date.now()));
    const settleBy = Date.now() + 30_000;
    while (Date.now() - lastIndexed < 2000 && Date.now() < settleBy) await sleep(200);
    off();
    // Pack what is left: every period ends and its grace passes, then sweeps until nothing is due.
    const lastDueBy = Date.now() + packing.periodMs + packing.graceMs + 1000;
    say(`  ${el()} s  packing the last periods (until ${((lastDueBy - t0) / 1000).toFixed(0)} s)`);
    await sleep(Math.max(0, lastDueBy - Date.now()));
    for (let i = 0; i < 20; i++) {
      const sweep = await stack.compactNow();
      if (!sweep || sweep.due === 0) break;
      await sleep(500);
    }
    meter.pause();
    say(`  ${el()} s  agents exited with ${codes.join(' ')}; verifying bucket and index`);

    const s3 = emulatorS3Client(stack.s3rverEndpoint);
    const ddb = new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.dynamoEndpoint,
      credentials: { accessKeyId: 'soak', secretAccessKey: 'soak' },
    });
    const results: CameraResult[] = [];
    let keys = 0;
    let events = 0;
    try {
      for (const [i, a] of agents.entries()) {
        const store = await readCameraStore({
          s3,
          bucket: stack.info.bucket,
          ddb,
          table: stack.info.tableName,
          deviceId: a.ledger.id,
          contentKeyPrivatePem,
          probeEvery: opts.probeAll ? 1 : 10,
          packPeriodMs: packing.periodMs,
        });
        keys += store.keyObjects;
        events += store.eventObjects;
        results.push(compareCamera(a.ledger, store, await spoolSeqs(spoolDirs[i]!), maxBacklog[i]!, a.kills));
      }
    } finally {
      s3.destroy();
      ddb.destroy();
    }
    const ports = {
      front: stack.front.port,
      s3rver: Number(new URL(stack.s3rverEndpoint).port),
      dynalite: Number(new URL(stack.info.dynamoEndpoint).port),
      api: stack.api.port,
    };
    const totals = measureTotals(meter.requests, ports);
    const segments = results.reduce((s, r) => s + r.uploaded + r.notIndexed, 0);
    const design = JSON.parse(await readFile(new URL('../cost/requests-per-segment.json', import.meta.url), 'utf8')) as RequestCounts;
    const requestCounts = toRequestCounts(
      totals,
      { segments, keys, events, packs: compaction.packs, packedSegments: compaction.packedSegments, packRuns: compaction.runs },
      design,
      new Date(),
      `npm run soak -- --minutes ${opts.minutes} --cameras ${opts.cameras}`,
    );
    const faults = watches.map((w) => w.outcome);
    passed = results.every(passes);
    const failureKinds: Record<string, number> = {};
    for (const a of agents) for (const [k, n] of a.ledger.failureKinds) failureKinds[k] = (failureKinds[k] ?? 0) + n;
    return { failureKinds, cameras: results, faults, pass: passed, totals, requestCounts, compaction, lines, dataDir };
  } finally {
    await Promise.allSettled(
      agents.map(async (a) => {
        await a.kill9();
        await a.close();
      }),
    );
    await proxy?.stop().catch(() => {});
    await stack?.stop().catch(() => {});
    meter.uninstall();
    // A failed run keeps its data (agent logs, spools, bucket) for the report.
    if (!opts.keep && passed) await rm(dataDir, { recursive: true, force: true });
  }
}

export function formatFaultTable(faults: FaultOutcome[]): string {
  return formatTable(
    ['fault', 'camera', 'start s', 'end s', 'recovery s', 'note'],
    faults.map((f) => [
      f.label,
      f.camera ?? 'all',
      f.startS.toFixed(1),
      f.endS.toFixed(1),
      f.recoveryS === undefined ? 'not drained' : f.recoveryS.toFixed(1),
      f.note,
    ]),
  );
}
