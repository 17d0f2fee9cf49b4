import type { S3Event } from 'aws-lambda';
import { DEVICE_FOLDERS, PackDefault } from '../../contract/index.ts';
import { dynamoEventStore } from '../../lambda/events/dynamo-event-store.ts';
import { dynamoImageIndex } from '../../lambda/images/dynamo-image-index.ts';
import { dynamoSegmentIndex } from '../../lambda/index/dynamo-segment-index.ts';
import { createIndexer, type Indexer } from '../../lambda/indexer/create-indexer.ts';
import { dynamoLivenessStore } from '../../lambda/liveness/dynamo-liveness-store.ts';
import { checkDevice, WATCH_GRACE_MS, type OfflineWatchDeps } from '../../lambda/liveness/offline-watch.ts';
import type { Clock } from '../../lambda/shared/clock.ts';
import type { Log } from '../../lambda/shared/log.ts';
import type { ObjectStore } from '../../lambda/storage/object-store.ts';
import { migrateIndexTable } from '../emulators/migrate-index-table.ts';
import type { RunningDynalite } from '../emulators/start-dynalite.ts';
import type { RunningS3rver } from '../emulators/start-s3rver.ts';
import type { LocalNotifier } from '../notify/local-notifier.ts';
import { timerWatchQueue } from '../notify/timer-watch-queue.ts';
import { withFrontChecksums } from '../s3-front/front-checksum.ts';
import { startLocalCompactor, type LocalCompactor } from './local-compactor.ts';
import type { LocalPacking } from './local-packing.ts';
import { COMPACTOR_USER_AGENT, LEGACY_LOCAL_TABLE, LOCAL_BUCKET, LOCAL_RETENTION_DAYS, LOCAL_TABLE } from './local-stack-api.ts';

/** The top folders cameras write: only these objects go to the indexer (packs are the compactor's). */
const INDEXED_KEY_RE = new RegExp(`^(${DEVICE_FOLDERS.join('|')})/`);

export interface LocalIndexingOptions {
  /** dynalite, starting: the index comes up once it is (and the table is migrated). */
  readonly dynalite: Promise<RunningDynalite>;
  /** s3rver, whose ObjectCreated events are indexed. */
  readonly s3rver: RunningS3rver;
  /** Reads the bucket (straight from s3rver). */
  readonly store: ObjectStore;
  /** Packed history, or undefined for none. */
  readonly packing: LocalPacking | undefined;
  readonly notifier: LocalNotifier;
  readonly offlineAfterMs: number;
  readonly clock: Clock;
  readonly handlerLog: Log;
  readonly log: (line: string) => void;
  /** Where the parts this starts register their stop (run last first by the stack). */
  readonly stops: (() => Promise<void>)[];
}

/** The index side, once dynalite is up. */
export interface LocalIndexStores {
  readonly index: ReturnType<typeof dynamoSegmentIndex>;
  readonly events: ReturnType<typeof dynamoEventStore>;
  readonly images: ReturnType<typeof dynamoImageIndex>;
  readonly liveness: ReturnType<typeof dynamoLivenessStore>;
  readonly indexer: Indexer;
  readonly compactor: LocalCompactor | undefined;
  readonly ddb: ReturnType<RunningDynalite['createClient']>;
}

export interface LocalIndexing {
  /** The stores, the indexer and the compactor; rejects when dynalite or the migration failed. */
  readonly ready: Promise<LocalIndexStores>;
  /** Called with each object key once the indexer has indexed it. */
  onIndexed(listener: (key: string, atMs: number) => void): () => void;
  /** Offline watches of a previous run (their timers went with it) pick up where they were. */
  resumeWatches(deviceIds: readonly string[]): Promise<void>;
  /** Waits for the indexing under way (a camera's last uploads get indexed before the emulators stop). */
  settled(): Promise<void>;
}

/**
 * The cloud's indexing in process: s3rver's ObjectCreated events for camera objects go to
 * the same indexer code as in Lambda (index, events, pictures, liveness), the offline
 * watch runs on timers instead of SQS, and with packing the compactor packs history on
 * a timer.
 */
export function startLocalIndexing(opts: LocalIndexingOptions): LocalIndexing {
  const { s3rver, store, packing, notifier, offlineAfterMs, clock, handlerLog, log, stops } = opts;
  let watchDeps: OfflineWatchDeps | undefined;
  const watchQueue = timerWatchQueue(
    (m) => checkDevice(watchDeps!, m),
    (err) => log(`offline watch: ${err.message}; trying again`),
  );
  stops.push(async () => watchQueue.stop());
  const indexReady = opts.dynalite.then(async (dynalite) => {
    const ddb = dynalite.createClient();
    stops.push(async () => ddb.destroy());
    const migrated = await migrateIndexTable(ddb, LEGACY_LOCAL_TABLE, LOCAL_TABLE);
    if (migrated) log(`moved ${migrated} index items to table ${LOCAL_TABLE} (with the open-hours index packed history needs)`);
    const index = dynamoSegmentIndex(ddb, LOCAL_TABLE, packing ? { packPeriodMs: packing.periodMs } : {});
    const events = dynamoEventStore(ddb, LOCAL_TABLE);
    const images = dynamoImageIndex(ddb, LOCAL_TABLE);
    const liveness = dynamoLivenessStore(ddb, LOCAL_TABLE);
    watchDeps = { liveness, events, queue: watchQueue, publisher: notifier, clock, offlineAfterMs, log: handlerLog };
    const indexer = createIndexer({
      index,
      events,
      images,
      // The front keeps each upload's x-amz-checksum-sha256 as S3 does; the indexer records it.
      store: withFrontChecksums(store),
      config: {
        retentionDays: LOCAL_RETENTION_DAYS,
        bucketName: LOCAL_BUCKET,
        ...(packing ? { packing: { periodMs: packing.periodMs, graceMs: packing.graceMs, hotIndexDays: PackDefault.HOT_INDEX_DAYS } } : {}),
      },
      clock,
      log: handlerLog,
      publisher: notifier,
      liveness,
      watch: { queue: watchQueue, offlineAfterMs },
    });
    let compactor: LocalCompactor | undefined;
    if (packing) {
      const compactorDdb = dynalite.createClient(COMPACTOR_USER_AGENT);
      compactor = startLocalCompactor({
        ddb: compactorDdb,
        s3rverEndpoint: s3rver.endpoint,
        bucket: LOCAL_BUCKET,
        table: LOCAL_TABLE,
        packing,
        retentionDays: LOCAL_RETENTION_DAYS,
        userAgent: COMPACTOR_USER_AGENT,
        clock,
        log: handlerLog,
        onError: log,
      });
      const c = compactor;
      stops.push(async () => {
        await c.stop();
        compactorDdb.destroy();
      });
    }
    return { index, events, images, liveness, indexer, compactor, ddb };
  });
  indexReady.catch(() => {});
  const indexedListeners = new Set<(key: string, atMs: number) => void>();
  const indexing = new Set<Promise<void>>();
  s3rver.events.on('event', (event: S3Event) => {
    if (
      !event.Records?.every(
        (r) => r.eventName?.startsWith('ObjectCreated') && INDEXED_KEY_RE.test(decodeURIComponent((r.s3?.object?.key ?? '').replace(/\+/g, ' '))),
      )
    )
      return;
    const done = indexReady
      .then(({ indexer }) => indexer(event))
      .then(() => {
        const at = Date.now();
        for (const r of event.Records) for (const l of indexedListeners) l(decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')), at);
      })
      .catch((err: Error) => log(`indexer: ${err.message}`))
      .finally(() => indexing.delete(done));
    indexing.add(done);
  });

  return {
    ready: indexReady,
    onIndexed(listener) {
      indexedListeners.add(listener);
      return () => indexedListeners.delete(listener);
    },
    async resumeWatches(deviceIds) {
      const { liveness } = await indexReady;
      for (const id of deviceIds) {
        const st = await liveness.getState(id);
        if (st?.watchId && st.lastHeardMs !== undefined)
          await watchQueue.schedule({ deviceId: id, watchId: st.watchId }, Math.max(0, st.lastHeardMs + offlineAfterMs - Date.now()) + WATCH_GRACE_MS);
      }
    },
    settled: async () => void (await Promise.allSettled([...indexing])),
  };
}
