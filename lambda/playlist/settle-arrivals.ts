import { MAX_GAP_SEGMENTS } from './segment-entries.ts';

/** What settleArrivals reads of a segment: its place (startMs, seq) and when it was indexed. */
export interface Arrival {
  startMs: number;
  seq: number;
  /** The indexer's clock when it wrote the item (SegmentItem.indexedMs); absent on older items and on packed history. */
  indexedMs?: number;
}

export interface ArrivalRule {
  /** The API's clock. */
  nowMs: number;
  /** How long after a later segment was indexed a missing one may still land and be listed as itself. */
  holdMs: number;
  /**
   * Segments indexed before this were there at every reload the playlist can have had (a
   * range session's issue time), so none of them is late. @default none: a LIVE window is
   * the camera's, shared by every session.
   */
  sinceMs?: number;
}

/**
 * How long an index write may take to become visible after the indexer read its clock
 * (a DynamoDB put with the SDK's retries). A segment indexed within this much of the end
 * of its hold counts as late: a poll at the hold's end may not have seen it.
 */
export const INDEX_WRITE_MARGIN_MS = 1000;

/**
 * What a playlist that players reload (LIVE, a growing LIVE_REPLAY) may list of segments
 * that land out of order, so that a media sequence number, once listed, keeps its URI
 * (RFC 8216 6.2.2; hls.js 1.x stops with a fatal "media sequence mismatch" otherwise):
 *
 * - A missing segment may still land while the later segment that showed it missing was
 *   indexed less than `holdMs` ago: the list ends before the hole (the player waits a
 *   moment at the live edge instead of being told "gap").
 * - After that the playlist lists it as a gap (EXT-X-GAP), and it stays a gap there if it
 *   lands later still (`late`: indexed later than holdMs - INDEX_WRITE_MARGIN_MS after a
 *   segment that follows it, and after `sinceMs` less that margin). Recordings and later
 *   sessions list it as itself.
 *
 * Everything is decided from stored times and the clock, so every poll of every client
 * (and every Lambda instance) agrees. `segments` ascend by startMs; segments without an
 * indexedMs are never held or late (they list as before).
 */
export function settleArrivals<T extends Arrival>(segments: readonly T[], rule: ArrivalRule): T[] {
  if (rule.holdMs <= INDEX_WRITE_MARGIN_MS)
    throw new RangeError(`holdMs ${rule.holdMs} must be longer than the index write margin (${INDEX_WRITE_MARGIN_MS} ms)`);
  const sinceMs = rule.sinceMs ?? Number.NEGATIVE_INFINITY;
  // The earliest index time among the segments after each one: when its absence could first be seen.
  const indexedAfter = new Array<number>(segments.length);
  let earliest = Number.POSITIVE_INFINITY;
  for (let i = segments.length - 1; i >= 0; i--) {
    indexedAfter[i] = earliest;
    const t = segments[i]!.indexedMs;
    if (t !== undefined && t < earliest) earliest = t;
  }
  const kept: T[] = [];
  const seenMissingFrom: number[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const after = indexedAfter[i]!;
    if (s.indexedMs !== undefined && s.indexedMs > Math.max(sinceMs, after + rule.holdMs) - INDEX_WRITE_MARGIN_MS) continue; // late
    kept.push(s);
    seenMissingFrom.push(Math.min(s.indexedMs ?? Number.POSITIVE_INFINITY, after));
  }
  // Cut before the first missing seq whose follower was indexed within the hold (that time
  // only grows towards the end, so every later hole is within its hold too).
  for (let i = 1; i < kept.length; i++) {
    const missing = kept[i]!.seq - kept[i - 1]!.seq - 1;
    // A jump past MAX_GAP_SEGMENTS is a restart that lost its seq, not segments on their way.
    if (missing <= 0 || missing > MAX_GAP_SEGMENTS) continue;
    const seenMs = seenMissingFrom[i]!;
    if (Number.isFinite(seenMs) && rule.nowMs < seenMs + rule.holdMs) return kept.slice(0, i);
  }
  return kept;
}
