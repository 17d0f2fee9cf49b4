import type { DeviceStateItem, EventItem, KeyItem, SegmentItem, SegmentSummaryFields } from '../../contract/index.ts';

/** Outcome of an idempotent, conditional write. */
export type PutOutcome = 'created' | 'exists';

export interface StateAdvance {
  seenMs: number;
  seq: number;
  discSeq: number;
  keyId: string;
  /** When S3 received the segment: also recorded as the device's last sign of life (lastHeardMs, lastSegmentHeardMs). */
  heardMs?: number;
}

/** The state before an advance, or 'stale' when a higher seq was already recorded (nothing changed). */
export type StateAdvanceResult = { previous: DeviceStateItem | undefined } | 'stale';

/** The fields playlists and the timeline read; the index may leave out the rest. */
export type SegmentSummary = SegmentSummaryFields;

export interface SegmentPage {
  /** Ascending by startMs. */
  items: SegmentSummary[];
  /** Set when more segments remain in the range: the startMs to continue from. */
  nextStartMs?: number;
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
  getState(deviceId: string): Promise<DeviceStateItem | undefined>;
  /** Segments with startMs in [startMs, endMs), ascending, at most `limit` (default: all). */
  querySegments(deviceId: string, startMs: number, endMs: number, limit?: number): Promise<SegmentPage>;
  /** The newest `count` segments, ascending by startMs; strongly consistent (LIVE polls never see an older window). */
  newestSegments(deviceId: string, count: number): Promise<SegmentSummary[]>;
  /** Events overlapping [startMs, endMs), ascending by start. */
  queryEvents(deviceId: string, startMs: number, endMs: number): Promise<EventItem[]>;
}
