import { readdir } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { emulatorS3Client } from '../../local/emulators/start-s3rver.ts';
import type { LocalStack } from '../../local/stack/local-stack.ts';
import type { LocalPacking } from '../../local/stack/local-packing.ts';
import type { BacklogWatch } from './backlog-watch.ts';
import { elapsedS } from './fault-runner.ts';
import type { SoakRig } from './soak-stack.ts';
import { compareCamera, type CameraResult } from './soak-report.ts';
import { readCameraStore } from './stored-inventory.ts';

const DRAIN_TIMEOUT_MS = 120_000;
const INDEX_SETTLE_TIMEOUT_MS = 30_000;
const INDEX_QUIET_MS = 2000;
const MAX_LAST_SWEEPS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * After the recording phase: waits for every backlog to drain (up to 2 min), stops the
 * agents (SIGTERM), lets the indexer finish, then packs the last periods. Returns the
 * agents' exit codes.
 */
export async function windDown(
  rig: SoakRig,
  stack: LocalStack,
  watch: BacklogWatch,
  packing: LocalPacking,
  t0: number,
  say: (line: string) => void,
): Promise<(number | null)[]> {
  say(`  ${elapsedS(t0)} s  run over; waiting for every backlog to drain`);
  await watch.waitDrained(DRAIN_TIMEOUT_MS);
  say(`  ${elapsedS(t0)} s  backlogs: ${watch.last.map((s) => (s ? s.backlog.segments : '?')).join(' ')}; stopping agents (SIGTERM)`);
  await watch.stop();
  const codes = await Promise.all(rig.agents.map((a) => a.stop()));
  // Let the indexer finish what the last uploads created.
  let lastIndexed = Date.now();
  const off = stack.onIndexed(() => (lastIndexed = Date.now()));
  const settleBy = Date.now() + INDEX_SETTLE_TIMEOUT_MS;
  while (Date.now() - lastIndexed < INDEX_QUIET_MS && Date.now() < settleBy) await sleep(200);
  off();
  // Pack what is left: every period ends and its grace passes, then sweeps until nothing is due.
  const lastDueBy = Date.now() + packing.periodMs + packing.graceMs + 1000;
  say(`  ${elapsedS(t0)} s  packing the last periods (until ${((lastDueBy - t0) / 1000).toFixed(0)} s)`);
  await sleep(Math.max(0, lastDueBy - Date.now()));
  for (let i = 0; i < MAX_LAST_SWEEPS; i++) {
    const sweep = await stack.compactNow();
    if (!sweep || sweep.due === 0) break;
    await sleep(500);
  }
  return codes;
}

/** The seqs still waiting in a spool directory (entry names `s-<16-digit seq>-...spool`). */
async function spoolSeqs(spoolDir: string): Promise<Set<number>> {
  const out = new Set<number>();
  for (const name of await readdir(spoolDir).catch(() => [] as string[])) {
    const m = /^s-(\d{16})-/.exec(name);
    if (m && name.endsWith('.spool')) out.add(Number(m[1]));
  }
  return out;
}

/**
 * Every camera's ledger (what its agent logged as recorded) against the bucket and the
 * index (hot or packed, each segment decrypted; every `probeEvery`-th read by ffprobe)
 * and what is left in its spool. Also counts the key and event objects stored.
 */
export async function checkCameras(
  rig: SoakRig,
  stack: LocalStack,
  watch: BacklogWatch,
  o: { contentKeyPrivatePem: string; probeEvery: number; packPeriodMs: number },
): Promise<{ results: CameraResult[]; keys: number; events: number }> {
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
    for (const [i, a] of rig.agents.entries()) {
      const store = await readCameraStore({
        s3,
        bucket: stack.info.bucket,
        ddb,
        table: stack.info.tableName,
        deviceId: a.ledger.id,
        contentKeyPrivatePem: o.contentKeyPrivatePem,
        probeEvery: o.probeEvery,
        packPeriodMs: o.packPeriodMs,
      });
      keys += store.keyObjects;
      events += store.eventObjects;
      results.push(compareCamera(a.ledger, store, await spoolSeqs(rig.spoolDirs[i]!), watch.maxBacklog[i]!, a.kills));
    }
  } finally {
    s3.destroy();
    ddb.destroy();
  }
  return { results, keys, events };
}
