import { IndexTable, SortKeyPrefix, padMs } from './index-table.ts';
import { INIT_ID_PATTERN } from './ids.ts';
import type { SegmentMetadata } from './segment-metadata.ts';
import { EVENT_MAX_DURATION_MS, type EventEndReason, type EventRecord } from './event-record.ts';

/**
 * Shapes of the items in the DynamoDB index (one table, see index-table.ts). Every item
 * has `deviceId` (partition key), `sk` (sort key, typed by prefix) and, except the state
 * item, `ttl` (epoch seconds) so it expires with its object.
 *
 *   seg#{startMs:13}            one per segment
 *   evt#{startMs:13}#{eventId}  one per event record
 *   key#{keyId}                 one per wrapped data key
 *   state                       the device's latest state
 */
export interface SegmentItem extends SegmentMetadata {
  deviceId: string;
  sk: string;
  /**
   * What playlists read, packed into one string (see packSegmentSummary), so a 24 h
   * playlist reads 14,400 attribute values instead of 86,400.
   */
  summary: string;
  /** The S3 object key of the segment. */
  objectKey: string;
  sizeBytes: number;
  /**
   * Base64 SHA-256 of the object as S3 verified and stored it (the camera's
   * x-amz-checksum-sha256); the compactor checks every packed byte range against it.
   */
  checksumSha256?: string;
  /**
   * When the indexer wrote this item (its clock, UTC ms; a replay keeps the first). Playlists
   * that players reload keep a segment indexed well after a later one as a gap there (see
   * lambda/playlist/settle-arrivals.ts). Absent on items indexed before it existed.
   */
  indexedMs?: number;
  ttl: number;
}

/**
 * One event. Written from the device's start record (the event is open: no `endMs`) and
 * its end record (which sets `endMs`), in either order; or in one go from a version-1
 * record. The cloud closes an event its device never closed (`endInferred`): when a later
 * event of the camera starts, or when the camera goes offline; a device end record that
 * arrives later still wins. Readers treat an open event as ended at `maxEndMs`.
 */
export interface EventItem {
  deviceId: string;
  sk: string;
  eventId: string;
  type: string;
  startMs: number;
  /** Absent while the event is open. */
  endMs?: number;
  label?: string;
  /** The start record's key (or the version-1 record's); absent until the start record was indexed. */
  objectKey?: string;
  ttl: number;
  /** startMs + the device's maximum event length: an open event counts as ended then. */
  maxEndMs?: number;
  endReason?: EventEndReason;
  /** The end record's key, once the device's end record was indexed. */
  endObjectKey?: string;
  /** The cloud closed it (superseded or offline); a device end record replaces that end. */
  endInferred?: boolean;
  /** The "started" / "ended" notifications were published (so a replayed record does not publish again). */
  startNotified?: boolean;
  endNotified?: boolean;
}

export interface KeyItem {
  deviceId: string;
  sk: string;
  keyId: string;
  objectKey: string;
  /** When the indexer saw the wrapped key object (S3 event time), UTC ms. */
  createdMs: number;
  ttl: number;
}

/**
 * The device's latest state; fields only ever move forward (conditional updates). The
 * segment fields exist once a segment was indexed; the liveness fields (`lastHeardMs`
 * onward) once anything of the device was.
 */
export interface DeviceStateItem {
  deviceId: string;
  sk: typeof SortKeyPrefix.STATE;
  /** Latest end of a recorded segment (startMs + durationMs), UTC ms. */
  lastSeenMs: number;
  lastSeq: number;
  lastDiscSeq: number;
  lastKeyId: string;
  /** The pack hour of the newest segment the state advanced for (packed history: the indexer registers each hour once). */
  packHourMs?: number;
  /** When S3 last received any object from the device (segment, key, event, heartbeat), UTC ms. */
  lastHeardMs?: number;
  /** When S3 last received a segment from the device, UTC ms. */
  lastSegmentHeardMs?: number;
  /** From the newest heartbeat: privacy pause, recording mode, and when it was written (S3 time). */
  privacyPaused?: boolean;
  recordingMode?: 'continuous' | 'event';
  statusHeardMs?: number;
  /** Id of the offline watch that follows this device (see lambda/liveness); absent while offline or never armed. */
  watchId?: string;
  /** Set while the device is offline: when it was last heard from before going silent. */
  offlineSinceMs?: number;
  /** When the cloud declared it offline, UTC ms. */
  offlineDetectedMs?: number;
}

export const segmentSortKey = (startMs: number): string => `${SortKeyPrefix.SEGMENT}${padMs(startMs)}`;
export const eventSortKey = (startMs: number, eventId: string): string => `${SortKeyPrefix.EVENT}${padMs(startMs)}#${eventId}`;
export const keySortKey = (keyId: string): string => `${SortKeyPrefix.KEY}${keyId}`;

const DAY_SECONDS = 86_400;

/** TTL (epoch seconds) for an item whose object was recorded at `recordedMs`. */
export function ttlFor(recordedMs: number, retentionDays: number): number {
  return Math.floor(recordedMs / 1000) + Math.ceil(retentionDays * DAY_SECONDS);
}

/** The fields of a segment that playlists and the timeline read (`initId`: fMP4 segments only). */
export type SegmentSummaryFields = Pick<SegmentMetadata, 'startMs' | 'durationMs' | 'seq' | 'discSeq' | 'keyId' | 'iv' | 'initId'>;

/**
 * Layout: `{startMs}:{durationMs}:{seq}:{discSeq}:{keyId}:{iv}` (decimal, decimal, decimal,
 * decimal, 32 hex, 32 hex), then `:{initId}` (32 hex) for an fMP4 segment; a summary
 * without it is an MPEG-TS segment.
 */
export function packSegmentSummary(m: SegmentSummaryFields): string {
  const base = `${m.startMs}:${m.durationMs}:${m.seq}:${m.discSeq}:${m.keyId}:${m.iv}`;
  return m.initId === undefined ? base : `${base}:${m.initId}`;
}

/** A decimal field of the packed summary (Number of the slice); an empty field is NaN. */
function decimalAt(text: string, from: number, to: number): number {
  if (to <= from) return Number.NaN;
  return Number(text.slice(from, to));
}

/**
 * Reads packSegmentSummary's layout; undefined when the text does not have it. One scan
 * of indexOf, no intermediate arrays: a 24 h playlist reads 14,400 of these.
 */
export function unpackSegmentSummary(text: string): SegmentSummaryFields | undefined {
  const c1 = text.indexOf(':');
  const c2 = c1 < 0 ? -1 : text.indexOf(':', c1 + 1);
  const c3 = c2 < 0 ? -1 : text.indexOf(':', c2 + 1);
  const c4 = c3 < 0 ? -1 : text.indexOf(':', c3 + 1);
  const c5 = c4 < 0 ? -1 : text.indexOf(':', c4 + 1);
  const c6 = c5 < 0 ? -1 : text.indexOf(':', c5 + 1);
  if (c5 < 0 || (c6 >= 0 && text.indexOf(':', c6 + 1) >= 0)) return undefined;
  const startMs = decimalAt(text, 0, c1);
  const durationMs = decimalAt(text, c1 + 1, c2);
  const seq = decimalAt(text, c2 + 1, c3);
  const discSeq = decimalAt(text, c3 + 1, c4);
  if (!Number.isSafeInteger(startMs) || !Number.isSafeInteger(durationMs) || !Number.isSafeInteger(seq) || !Number.isSafeInteger(discSeq)) return undefined;
  if (c6 < 0) return { startMs, durationMs, seq, discSeq, keyId: text.slice(c4 + 1, c5), iv: text.slice(c5 + 1) };
  const initId = text.slice(c6 + 1);
  if (!INIT_ID_PATTERN.test(initId)) return undefined;
  return { startMs, durationMs, seq, discSeq, keyId: text.slice(c4 + 1, c5), iv: text.slice(c5 + 1, c6), initId };
}

/** What the indexer knows of a segment object beside its metadata (see SegmentItem). */
export interface SegmentObjectFacts {
  checksumSha256?: string;
  indexedMs?: number;
}

/**
 * The index item of one segment. `ttlDays` is how long the item lives: with packed history
 * only until a few days after its hour is packed (history is then read from pack items).
 */
export function toSegmentItem(
  deviceId: string,
  meta: SegmentMetadata,
  objectKey: string,
  sizeBytes: number,
  ttlDays: number,
  facts: SegmentObjectFacts = {},
): SegmentItem {
  const item = {
    [IndexTable.PARTITION_KEY]: deviceId,
    [IndexTable.SORT_KEY]: segmentSortKey(meta.startMs),
    ...meta,
    summary: packSegmentSummary(meta),
    objectKey,
    sizeBytes,
    [IndexTable.TTL_ATTRIBUTE]: ttlFor(meta.startMs, ttlDays),
  } as SegmentItem;
  if (facts.checksumSha256 !== undefined) item.checksumSha256 = facts.checksumSha256;
  if (facts.indexedMs !== undefined) item.indexedMs = facts.indexedMs;
  return item;
}

/**
 * The latest an event may still be going on: its end, else its maximum end, else 24 h
 * after its start. Range reads use it so an open event overlaps the times it may cover.
 */
export function eventEndBoundMs(e: Pick<EventItem, 'startMs' | 'endMs' | 'maxEndMs'>): number {
  return e.endMs ?? e.maxEndMs ?? e.startMs + EVENT_MAX_DURATION_MS;
}

/** An event as readers show it at `nowMs`: open (still going on) or with its end, actual or at the maximum length. */
export function resolveEventEnd(e: Pick<EventItem, 'startMs' | 'endMs' | 'maxEndMs'>, nowMs: number): { endMs: number; open: boolean } {
  if (e.endMs !== undefined) return { endMs: e.endMs, open: false };
  const bound = eventEndBoundMs(e);
  return bound > nowMs ? { endMs: Math.max(e.startMs, nowMs), open: true } : { endMs: bound, open: false };
}

export function toEventItem(record: EventRecord, objectKey: string, retentionDays: number): EventItem {
  const item: EventItem = {
    deviceId: record.deviceId,
    sk: eventSortKey(record.startMs, record.eventId),
    eventId: record.eventId,
    type: record.type,
    startMs: record.startMs,
    endMs: record.endMs,
    objectKey,
    ttl: ttlFor(record.startMs, retentionDays),
  };
  if (record.label !== undefined) item.label = record.label;
  return item;
}

/** A key outlives its creation by one extra day: segments using it start up to a rotation period later. */
export function toKeyItem(deviceId: string, keyId: string, objectKey: string, createdMs: number, retentionDays: number): KeyItem {
  return { deviceId, sk: keySortKey(keyId), keyId, objectKey, createdMs, ttl: ttlFor(createdMs, retentionDays + 1) };
}
