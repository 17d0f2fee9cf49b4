import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localDeviceConfig, seedSequenceState } from '../../local/stack/agent-camera-runner.ts';
import { startLocalStack, type LocalStack } from '../../local/stack/local-stack.ts';
import type { LocalPacking } from '../../local/stack/local-packing.ts';
import { startFaultProxy, type FaultProxy } from '../../test/support/fault-proxy.ts';
import { AgentChild } from './agent-child.ts';
import { newLedger } from './camera-ledger.ts';
import { SoakHarnessError } from './soak-errors.ts';
import type { SoakOptions } from './soak-options.ts';
import { refreshAheadSeconds } from './soak-schedule.ts';

/** The sample clip's media rate (~400 kbit/s video + 64 kbit/s audio + TS overhead), bytes per second. */
export const SAMPLE_MEDIA_BYTES_PER_SECOND = 62_000;
export const NORMAL_SPOOL_BYTES = 512 * 1024 * 1024;
const READY_TIMEOUT_MS = 90_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The soak packs history as the cloud does, with a short pack period so a run packs many
 * camera-periods (and late segments from the backlogs into follow-up packs): a tenth of
 * the run, 10 to 60 s, packed half a period after it ends; hot copies deleted at once.
 */
export function soakPacking(runMs: number): LocalPacking {
  const periodMs = Math.min(60_000, Math.max(10_000, Math.round(runMs / 10 / 1000) * 1000));
  return { periodMs, graceMs: periodMs / 2, drainMs: 0, sweepMs: 2000 };
}

/** Packer runs, packs written, segments packed (all cameras), counted as the stack packs. */
export interface SoakCompaction {
  runs: number;
  packs: number;
  packedSegments: number;
  unpackable: number;
  /** Hot objects the packer read to check re-uploads (agents killed after S3's answer PUT again): GETs beyond one per packed segment. */
  reuploadReads: number;
}

/** What a soak run started and must stop, filled in as each piece starts (so a failed start stops what did start). */
export interface SoakRig {
  readonly dataDir: string;
  stack?: LocalStack;
  /** Between the agents and S3: the network cut and the 503s happen here. */
  proxy?: FaultProxy;
  readonly agents: AgentChild[];
  /** Each camera's spool directory, by camera index. */
  readonly spoolDirs: string[];
}

/** The local stack (S3, DynamoDB, IoT stand-in, indexer, packer) with the fault proxy in front of S3. */
export async function startSoakStack(
  rig: SoakRig,
  ids: readonly string[],
  opts: { segmentSeconds: number; credentialSeconds: number; packing: LocalPacking },
): Promise<{ stack: LocalStack; proxy: FaultProxy; compaction: SoakCompaction }> {
  const stack = await startLocalStack({
    dataDir: rig.dataDir,
    cameras: ids.map((id) => ({ id, source: { kind: 'sample' as const } })),
    segmentSeconds: opts.segmentSeconds,
    credentialDurationSeconds: opts.credentialSeconds,
    packing: opts.packing,
  });
  rig.stack = stack;
  const compaction: SoakCompaction = { runs: 0, packs: 0, packedSegments: 0, unpackable: 0, reuploadReads: 0 };
  stack.onPacked((r) => {
    compaction.runs++;
    compaction.packs += r.packs.length;
    compaction.packedSegments += r.packs.reduce((n, p) => n + p.segments, 0);
    compaction.unpackable += r.unpackable.length;
    compaction.reuploadReads += r.reuploadReads;
  });
  const proxy = await startFaultProxy({ target: stack.front.endpoint });
  rig.proxy = proxy;
  return { stack, proxy, compaction };
}

/**
 * One device.json per camera (S3 through the proxy, short retries, the last camera's spool
 * capped at `tinySpoolBytes`), then each camera as a `camrec agent` child, in `rig.agents`.
 */
export async function writeCameraConfigs(
  rig: SoakRig,
  stack: LocalStack,
  proxy: FaultProxy,
  ids: readonly string[],
  opts: Pick<SoakOptions, 'segmentSeconds'> & { credentialSeconds: number; tinySpoolBytes: number },
): Promise<void> {
  const { dataDir } = rig;
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
    rig.spoolDirs.push(spoolDir);
    const config = {
      ...base,
      credentials: { ...base.credentials, refreshAheadSeconds: refreshAheadSeconds(opts.credentialSeconds), timeoutSeconds: 5 },
      buffer: { spoolDir, spoolMaxBytes: i === ids.length - 1 ? opts.tinySpoolBytes : NORMAL_SPOOL_BYTES, writeThrough: true },
      upload: { concurrency: 2, retryBaseSeconds: 0.2, retryMaxSeconds: 5, requestTimeoutSeconds: 10 },
      expectedBitrateKbps: 600,
      log: { level: 'debug' as const },
    };
    const file = join(dir, 'device.json');
    await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
    await seedSequenceState(join(dir, 'state'), Date.now());
    rig.agents.push(new AgentChild(newLedger(id), file, join(dir, 'agent.log')));
  }
}

/** Starts every agent child and waits until each has its control endpoint and has recorded a segment (a SoakHarnessError after 90 s or when one exits). */
export async function startAgentsRecording(rig: SoakRig): Promise<void> {
  const { agents, dataDir } = rig;
  for (const a of agents) a.start();
  const readyBy = Date.now() + READY_TIMEOUT_MS;
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
}

/** Reads the content key's private half the stack wrote (to decrypt what was stored). */
export function readContentKeyPrivatePem(dataDir: string): Promise<string> {
  return readFile(join(dataDir, 'content-key', 'private.pem'), 'utf8');
}

/** Kills what is still running and stops the proxy and the stack; never throws. */
export async function stopSoakRig(rig: SoakRig): Promise<void> {
  await Promise.allSettled(
    rig.agents.map(async (a) => {
      await a.kill9();
      await a.close();
    }),
  );
  await rig.proxy?.stop().catch(() => {});
  await rig.stack?.stop().catch(() => {});
}
