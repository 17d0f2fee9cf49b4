import type { SegmentContainer, DeviceStateItem, EventItem, KeyItem, PackedSegment, SegmentItem, SegmentSummaryFields } from '../../contract/index.ts';

/**
 * How long a segment item's write may take to become visible after the indexer read its
 * clock for `indexedMs` (a DynamoDB put, with the clocks of the indexer and the API apart by
 * a little). Playlists treat a segment indexed within this much of the end of its arrival
 * hold as late (lambda/playlist/settle-arrivals.ts); the indexer counts a put slower than
 * this (`SlowIndexWrites`).
 */
export const INDEX_WRITE_MARGIN_MS = 1000;

/** Outcome of an idempotent, conditional write. */
export type PutOutcome = 'created' | 'exists';

export interface StateAdvance {
  seenMs: number;
  seq: number;
  discSeq: number;
  keyId: string;
  /** When S3 received the segment: also recorded as the device's last sign of life (lastHeardMs, lastSegmentHeardMs). */
  heardMs?: number;
  /** The segment's pack hour: the state remembers it (packHourMs), so the indexer registers each hour once. */
  hourMs?: number;
}

/** The state before an advance, or 'stale' when a higher seq was already recorded (nothing changed). */
export type StateAdvanceResult = { previous: DeviceStateItem | undefined } | 'stale';
/** What the indexer writes when a segment arrives that a pack run of its hour may not have seen. */
export interface HourRegistration {
  /** When the compactor should pack the hour (it packs nothing before the hour closed plus grace). */
  dueMs: number;
  /** TTL (epoch seconds) the hour item gets when it is first written. */
  ttl: number;
  /** A segment (its startMs) that may be a re-upload of one already packed: added to the hour's `recheck` set. */
  recheckStartMs?: number;
}

/** Where a packed segment's bytes are: a range of the pack its playlist names. */
export interface PackLocation {
  /** The pack's name in a playlist (contract/pack-keys.ts packName). */
  name: string;
  offset: number;
  length: number;
}

/**
 * The fields playlists and the timeline read (the index may leave out the rest), for packed
 * history where the bytes are, and for a hot segment when it was indexed (SegmentItem.indexedMs).
 */
export type SegmentSummary = SegmentSummaryFields & { pack?: PackLocation; indexedMs?: number };

/** What a player needs to know before it loads a playlist. */
export interface SegmentFormat {
  /** RFC 6381, e.g. `hvc1.1.6.L93.B0,mp4a.40.2`. */
  codecs: string;
  width: number;
  height: number;
  container: SegmentContainer;
}

export interface SegmentPage {
  /** Ascending by startMs. */
  items: SegmentSummary[];
  /** Set when more segments remain in the range: the startMs to continue from. */
  nextStartMs?: number;
}

/**
 * Which copy of history a reader sees. A pack stands in for its segments' hot copies for
 * a session only when it was packed before the session was issued, so a playlist never
 * changes a segment's URI during a session; every hot URI it lists stays valid until the
 * session expires because hot copies are deleted `drain` (longer than any session) after
 * packing.
 */
export interface HistoryView {
  /** Packs indexed at or before this time (UTC ms) are read; later ones are not. @default every pack */
  packedBeforeMs?: number;
  /** Items whose TTL passed before this (UTC ms) are skipped: DynamoDB deletes expired items lazily. */
  nowMs?: number;
}

/**
 * The index over DynamoDB (or a fake). Every read is one Query on a device's partition;
 * every write is conditional, so replays and out-of-order delivery leave the same index.
 */
export interface SegmentIndex {
  putSegment(item: SegmentItem): Promise<PutOutcome>;
  putEvent(item: EventItem): Promise<PutOutcome>;
  putKey(item: KeyItem): Promise<PutOutcome>;
  /** Moves the device's state forward if `seq` is the highest seen; older news is ignored. */
  advanceState(deviceId: string, update: StateAdvance): Promise<StateAdvanceResult>;
  /** Marks a pack hour open (again) with work due at `dueMs` and bumps its revision. */
  registerHour(deviceId: string, hourMs: number, registration: HourRegistration): Promise<void>;
  getState(deviceId: string): Promise<DeviceStateItem | undefined>;
  /**
   * Segments with startMs in [startMs, endMs), ascending, at most `limit` (default: all):
   * packed history from hour and pack items, hot segments from segment items.
   */
  querySegments(deviceId: string, startMs: number, endMs: number, limit?: number, view?: HistoryView): Promise<SegmentPage>;
  /** The newest `count` segments, ascending by startMs; strongly consistent (LIVE polls never see an older window). */
  newestSegments(deviceId: string, count: number): Promise<SegmentSummary[]>;
  /**
   * Codecs, size and container of the first segment from `atMs` on (undefined: the newest
   * segment), from its segment item or, for packed history (whose segment items expire by
   * TTL), from its pack item; undefined when there is none.
   */
  segmentFormat(deviceId: string, atMs?: number): Promise<SegmentFormat | undefined>;
  /** Events overlapping [startMs, endMs), ascending by start. */
  queryEvents(deviceId: string, startMs: number, endMs: number): Promise<EventItem[]>;
  /** One pack's digest and segments (the pack route checks a requested byte range against them); undefined when not indexed. */
  getPack(deviceId: string, hourMs: number, packNo: number): Promise<{ digest: string; segments: PackedSegment[] } | undefined>;
}
