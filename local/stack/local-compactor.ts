import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoHistoryStore } from '../../lambda/index/dynamo-history-store.ts';
import { dynamoSegmentIndex } from '../../lambda/index/dynamo-segment-index.ts';
import { createPacker, type PackReport } from '../../lambda/packer/create-packer.ts';
import { VerifyMode } from '../../lambda/packer/pack-verify.ts';
import type { Clock } from '../../lambda/shared/clock.ts';
import type { Log } from '../../lambda/shared/log.ts';
import { s3PackStore } from '../../lambda/storage/s3-pack-store.ts';
import { createSweeper, type SweepReport } from '../../lambda/sweeper/create-sweeper.ts';
import { emulatorS3Client } from '../emulators/start-s3rver.ts';
import type { LocalPacking } from './local-packing.ts';

/** s3rver knows no GLACIER_IR; local packs are written as Standard-IA (the cloud picks the class by retention). */
const LOCAL_PACK_STORAGE_CLASS = 'STANDARD_IA';
/** Longer than any local pack run: one run per hour at a time. */
const LOCAL_LEASE_MS = 10 * 60_000;

export interface LocalCompactor {
  /** Runs a sweep now (after the one running, if any) and every pack it dispatches. */
  compactNow(): Promise<SweepReport | undefined>;
  onPacked(listener: (report: PackReport) => void): () => void;
  stop(): Promise<void>;
}

/**
 * The cloud's sweep and packer in process, on a timer: the sweep dispatches each due hour
 * to the packer and waits for it (one at a time). s3rver keeps no checksums, so every pack
 * is read back and each segment's range hashed before hot copies go.
 */
export function startLocalCompactor(o: {
  /** A DynamoDB client of its own (its user agent tells its requests apart). */
  ddb: DynamoDBClient;
  s3rverEndpoint: string;
  bucket: string;
  table: string;
  packing: LocalPacking;
  retentionDays: number;
  userAgent: string;
  clock: Clock;
  log: Log;
  onError: (message: string) => void;
}): LocalCompactor {
  const listeners = new Set<(report: PackReport) => void>();
  const history = dynamoHistoryStore(o.ddb, o.table);
  const s3 = emulatorS3Client(o.s3rverEndpoint, o.userAgent);
  const packer = createPacker({
    history,
    events: dynamoSegmentIndex(o.ddb, o.table, { packPeriodMs: o.packing.periodMs }),
    store: s3PackStore(s3, o.bucket),
    clock: o.clock,
    log: o.log,
    config: {
      periodMs: o.packing.periodMs,
      drainMs: o.packing.drainMs,
      retentionDays: o.retentionDays,
      eventRetentionDays: o.retentionDays,
      storageClass: LOCAL_PACK_STORAGE_CLASS,
      eventStorageClass: LOCAL_PACK_STORAGE_CLASS,
      verify: VerifyMode.READ_BACK,
      copyParts: false,
    },
  });
  const sweeper = createSweeper({
    history,
    dispatch: async (job) => {
      const report = await packer.packHour(job);
      for (const l of listeners) l(report);
    },
    config: { leaseMs: LOCAL_LEASE_MS },
    clock: o.clock,
    log: o.log,
  });
  let sweeping: Promise<SweepReport | undefined> = Promise.resolve(undefined);
  const compactNow = (): Promise<SweepReport | undefined> => {
    sweeping = sweeping.catch(() => undefined).then(() => sweeper.sweep());
    return sweeping;
  };
  const timer = setInterval(() => void compactNow().catch((err: Error) => o.onError(`compactor: ${err.message}`)), o.packing.sweepMs);
  timer.unref();
  return {
    compactNow,
    onPacked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      clearInterval(timer);
      await sweeping.catch(() => undefined);
      s3.destroy();
    },
  };
}
