import type { S3Event, S3EventRecord } from 'aws-lambda';
import {
  ContractError,
  packHourOf,
  parseObjectKey,
  parseSegmentMetadata,
  toKeyItem,
  toSegmentItem,
  ttlFor,
  type DeviceStateItem,
  type ParsedObjectKey,
} from '../../contract/index.ts';
import type { EventStore } from '../events/event-store.ts';
import { INDEX_WRITE_MARGIN_MS, type SegmentIndex } from '../index/segment-index.ts';
import type { LivenessStore, HeardSignal } from '../liveness/liveness-store.ts';
import { onHeard, type OfflineWatchDeps } from '../liveness/offline-watch.ts';
import { noPublisher, type NotificationPublisher } from '../notify/notification-publisher.ts';
import type { Clock } from '../shared/clock.ts';
import { noMetrics, silentLog, type Log, type MetricsSink } from '../shared/log.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { indexEventObject } from './index-event-object.ts';
import { indexHeartbeat } from './index-heartbeat.ts';
import { indexImage } from './index-image.ts';
import type { ImageIndex } from '../images/image-index.ts';
import { SkipObject } from './skip-object.ts';
import { hourDueMs, mustRegisterHour, type PackingConfig } from './hour-registration.ts';

export interface IndexerConfig {
  /** Days continuous footage is kept. */
  retentionDays: number;
  /** Days footage an event covers is kept (>= retentionDays). @default retentionDays */
  eventRetentionDays?: number;
  /** Records from any other bucket are skipped. */
  bucketName?: string;
  /** Packed history: without it segments stay hot, and indexed, for their whole retention. */
  packing?: PackingConfig;
}

export interface IndexerDeps {
  index: SegmentIndex;
  /** Event items (start and end records). */
  events: EventStore;
  /** Picture items. @default none: pictures are skipped (and logged) */
  images?: ImageIndex;
  store: ObjectStore;
  config: IndexerConfig;
  clock: Clock;
  /** Event started / ended (and, with `watch`, online) notifications. @default none */
  publisher?: NotificationPublisher;
  /**
   * Liveness: every object a device uploads is a sign of life; with `watch`, a device
   * with no offline watch gets one and a device back from offline is reported online.
   * @default none (no liveness)
   */
  liveness?: LivenessStore;
  watch?: Omit<OfflineWatchDeps, 'liveness' | 'events' | 'publisher' | 'clock' | 'log' | 'metrics'>;
  log?: Log;
  metrics?: MetricsSink;
}

export type IndexOutcome = 'indexed' | 'duplicate' | 'skipped';

export interface IndexerReport {
  indexed: number;
  duplicates: number;
  skipped: { key: string; reason: string }[];
}

/** Infrastructure trouble (S3, DynamoDB); the whole batch is retried, which is safe: writes are idempotent. */
export class IndexerError extends Error {
  override readonly name: string = 'IndexerError';
  readonly retryable = true;
  readonly failedKeys: string[];
  constructor(message: string, failedKeys: string[], options?: { cause?: unknown }) {
    super(message, options);
    this.failedKeys = failedKeys;
  }
}

const MAX_WRAPPED_KEY_BYTES = 1024;

/** S3 notifications carry keys form-encoded ('+' for space, %XX for the rest). */
export function decodeS3EventKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new SkipObject(`object key ${JSON.stringify(raw.slice(0, 200))} is not valid URL encoding`);
  }
}

export type Indexer = ((event: S3Event) => Promise<IndexerReport>) & {
  /** Indexes one object by key (local mode feeds s3rver's events one at a time). */
  indexObject(key: string, eventTimeMs?: number): Promise<IndexOutcome>;
};

/**
 * The indexer: S3 ObjectCreated -> HeadObject (or GetObject for small JSON) -> DynamoDB.
 * Idempotent and order-free: every item is written once (conditional put) and the
 * device state only moves to a higher seq, so the same event twice, or events out of
 * order, leave the same index.
 */
export function createIndexer(deps: IndexerDeps): Indexer {
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;
  const { retentionDays, packing } = deps.config;
  /** What outlives continuous footage (events, keys, hour items) lives as long as event footage. */
  const historyDays = Math.max(retentionDays, deps.config.eventRetentionDays ?? retentionDays);
  const segmentItemDays = packing ? Math.min(retentionDays, packing.hotIndexDays) : retentionDays;
  const publisher = deps.publisher ?? noPublisher;
  const watch: OfflineWatchDeps | undefined =
    deps.liveness && deps.watch ? { ...deps.watch, liveness: deps.liveness, events: deps.events, publisher, clock: deps.clock, log, metrics } : undefined;

  /** A sign of life from the device: recorded, and followed up by the offline watch. */
  async function heard(deviceId: string, signal: HeardSignal, known?: { previous: DeviceStateItem | undefined }): Promise<void> {
    if (!deps.liveness) return;
    const r = known ?? (await deps.liveness.hear(deviceId, signal));
    if (r !== 'stale' && watch) await onHeard(watch, deviceId, signal.heardMs, r.previous);
  }

  async function indexParsed(key: string, p: ParsedObjectKey, eventTimeMs: number): Promise<IndexOutcome> {
    if (p.kind === 'segment') {
      const head = await deps.store.head(key);
      if (!head) throw new SkipObject('object no longer exists');
      let meta;
      try {
        meta = parseSegmentMetadata(head.metadata);
      } catch (e) {
        throw new SkipObject((e as Error).message);
      }
      if (meta.startMs !== p.startMs || meta.seq !== p.seq)
        throw new SkipObject(`metadata start-ms ${meta.startMs} / seq ${meta.seq} disagree with the key (${p.startMs}-${p.seq})`);
      const indexedMs = deps.clock.nowMs();
      const outcome = await deps.index.putSegment(
        toSegmentItem(p.deviceId, meta, key, head.sizeBytes, segmentItemDays, { checksumSha256: head.checksumSha256, indexedMs }),
      );
      // Playlists assume a write is visible within the margin of its stamp (settle-arrivals.ts): say when it was not.
      const writeMs = deps.clock.nowMs() - indexedMs;
      if (writeMs > INDEX_WRITE_MARGIN_MS) {
        metrics.count('SlowIndexWrites');
        log.warn('segment index write slower than the playlists assume', { key: key.slice(0, 300), writeMs, marginMs: INDEX_WRITE_MARGIN_MS });
      }
      const hourMs = packing ? packHourOf(meta.startMs, packing.periodMs) : undefined;
      // The state write also records the sign of life (one write per segment); a segment
      // older than the newest one (a backlog draining) records it on its own.
      const advanced = await deps.index.advanceState(p.deviceId, {
        seenMs: meta.startMs + meta.durationMs,
        seq: meta.seq,
        discSeq: meta.discSeq,
        keyId: meta.keyId,
        ...(deps.liveness ? { heardMs: eventTimeMs } : {}),
        hourMs,
      });
      await heard(p.deviceId, { heardMs: eventTimeMs, segment: true }, advanced === 'stale' || !advanced ? undefined : advanced);
      if (packing && hourMs !== undefined) {
        const nowMs = deps.clock.nowMs();
        if (mustRegisterHour(hourMs, advanced, nowMs, packing)) {
          // Seen before (the same event again) or older than the device's newest: it may be a
          // re-upload of a segment already packed (the agent killed after S3 stored it, before
          // its spool entry went), whose hot copy the compactor then checks against the pack.
          const recheck = outcome === 'exists' || advanced === 'stale';
          await deps.index.registerHour(p.deviceId, hourMs, {
            dueMs: hourDueMs(hourMs, nowMs, packing),
            ttl: ttlFor(hourMs, historyDays + 1),
            ...(recheck ? { recheckStartMs: meta.startMs } : {}),
          });
          metrics.count('PackHoursRegistered');
        }
      }
      return outcome === 'created' ? 'indexed' : 'duplicate';
    }
    if (p.kind === 'init') throw new SkipObject('an fMP4 init section needs no index item (the segments that use it name it by init-id)');
    if (p.kind === 'key') {
      const head = await deps.store.head(key);
      if (!head) throw new SkipObject('object no longer exists');
      if (head.sizeBytes < 1 || head.sizeBytes > MAX_WRAPPED_KEY_BYTES)
        throw new SkipObject(`a wrapped key is 1-${MAX_WRAPPED_KEY_BYTES} bytes, this one ${head.sizeBytes}`);
      const outcome = await deps.index.putKey(toKeyItem(p.deviceId, p.keyId, key, head.lastModifiedMs ?? eventTimeMs, historyDays));
      await heard(p.deviceId, { heardMs: eventTimeMs });
      return outcome === 'created' ? 'indexed' : 'duplicate';
    }
    if (p.kind === 'heartbeat') {
      const status = await indexHeartbeat(deps.store, key, p);
      await heard(p.deviceId, { heardMs: eventTimeMs, status });
      return 'indexed';
    }
    if (p.kind === 'image') {
      if (!deps.images) throw new SkipObject('this indexer has no picture index (pass `images`)');
      const outcome = await indexImage(
        { images: deps.images, store: deps.store, retentionDays, eventRetentionDays: deps.config.eventRetentionDays ?? retentionDays },
        key,
        p,
      );
      await heard(p.deviceId, { heardMs: eventTimeMs });
      return outcome;
    }
    const outcome = await indexEventObject({ events: deps.events, publisher, retentionDays: historyDays, store: deps.store }, key, p);
    await heard(p.deviceId, { heardMs: eventTimeMs });
    return outcome;
  }

  async function indexObject(key: string, eventTimeMs = deps.clock.nowMs()): Promise<IndexOutcome> {
    let parsed: ParsedObjectKey;
    try {
      parsed = parseObjectKey(key);
    } catch (e) {
      throw new SkipObject(e instanceof ContractError ? e.message : String(e));
    }
    return indexParsed(key, parsed, eventTimeMs);
  }

  async function one(record: S3EventRecord, report: IndexerReport, failed: string[], causes: unknown[]): Promise<void> {
    const rawKey = record.s3?.object?.key ?? '';
    let key = rawKey;
    try {
      if (!record.eventName?.startsWith('ObjectCreated:')) throw new SkipObject(`event ${record.eventName} is not ObjectCreated`);
      if (deps.config.bucketName && record.s3?.bucket?.name !== deps.config.bucketName)
        throw new SkipObject(`bucket ${record.s3?.bucket?.name} is not ${deps.config.bucketName}`);
      key = decodeS3EventKey(rawKey);
      const t = Date.parse(record.eventTime);
      const outcome = await indexObject(key, Number.isFinite(t) ? t : deps.clock.nowMs());
      if (outcome === 'indexed') report.indexed++;
      else report.duplicates++;
    } catch (e) {
      if (e instanceof SkipObject) {
        report.skipped.push({ key: key.slice(0, 300), reason: e.message });
        log.warn('skipped object', { key: key.slice(0, 300), reason: e.message });
        return;
      }
      failed.push(key);
      causes.push(e);
      log.error('indexing failed; the batch will be retried', { key, error: (e as Error).message });
    }
  }

  const handler = (async (event: S3Event): Promise<IndexerReport> => {
    const report: IndexerReport = { indexed: 0, duplicates: 0, skipped: [] };
    const failed: string[] = [];
    const causes: unknown[] = [];
    for (const record of event?.Records ?? []) await one(record, report, failed, causes);
    metrics.count('ObjectsIndexed', report.indexed);
    metrics.count('ObjectsDuplicate', report.duplicates);
    metrics.count('ObjectsSkipped', report.skipped.length);
    if (failed.length) throw new IndexerError(`could not index ${failed.length} object(s): ${failed.slice(0, 5).join(', ')}`, failed, { cause: causes[0] });
    return report;
  }) as Indexer;
  handler.indexObject = async (key, eventTimeMs) => {
    try {
      return await indexObject(key, eventTimeMs);
    } catch (e) {
      if (e instanceof SkipObject) {
        log.warn('skipped object', { key: key.slice(0, 300), reason: e.message });
        return 'skipped';
      }
      throw e;
    }
  };
  return handler;
}
