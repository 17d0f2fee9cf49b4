import { INDEX_WRITE_MARGIN_MS } from '../index/segment-index.ts';

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
  /**
   * Where the playlist starts (a range's start): a first segment that starts at or before it
   * has no room before it for one still on its way, so the list does not wait there.
   * @default none: the first segment may have one before it (a camera's very first)
   */
  fromMs?: number;
}

export interface SettledArrivals<T> {
  /** What the playlist lists now, ascending by startMs. */
  listed: T[];
  /** The list ends early, at a break whose hold is not over: more will be listed without any new upload. */
  waiting: boolean;
}

/**
 * What a playlist that players reload (LIVE, a growing LIVE_REPLAY) may list of segments
 * that land out of order, so that a media sequence number, once listed, keeps its URI
 * (RFC 8216 6.2.2; hls.js 1.x stops with a fatal "media sequence mismatch" otherwise) and
 * EXT-X-MEDIA-SEQUENCE never goes back:
 *
 * - At a break in seq (a missing seq, a jump or a reset after a restart, or the first
 *   segment, unless it starts at the playlist's start) a segment before it may still land
 *   while the segment after it was indexed less than `holdMs` ago: the list ends before the
 *   break (the player waits a moment at the live edge).
 * - After that the list goes on past the break (a missing seq inside it is an EXT-X-GAP),
 *   and a segment that lands later still is `late` (indexed more than holdMs -
 *   INDEX_WRITE_MARGIN_MS after one that follows it, and after `sinceMs` less the margin):
 *   it is left out here for good. Recordings and later sessions list it as itself.
 * - A segment without indexedMs (packed history, items from before it was kept) counts as
 *   indexed long ago: a stamped one before it landed after it.
 *
 * Everything is decided from stored times and the clock, so every poll of every client
 * (and every Lambda instance) agrees. `segments` ascend by startMs.
 */
export function settleArrivals<T extends Arrival>(segments: readonly T[], rule: ArrivalRule): SettledArrivals<T> {
  if (rule.holdMs <= INDEX_WRITE_MARGIN_MS)
    throw new RangeError(`holdMs ${rule.holdMs} must be longer than the index write margin (${INDEX_WRITE_MARGIN_MS} ms)`);
  const sinceMs = rule.sinceMs ?? Number.NEGATIVE_INFINITY;
  const indexedAt = (s: Arrival): number => s.indexedMs ?? Number.NEGATIVE_INFINITY;
  // The earliest index time among the segments after each one: when its absence could first be seen.
  const indexedAfter = new Array<number>(segments.length);
  let earliest = Number.POSITIVE_INFINITY;
  for (let i = segments.length - 1; i >= 0; i--) {
    indexedAfter[i] = earliest;
    earliest = Math.min(earliest, indexedAt(segments[i]!));
  }
  const kept: T[] = [];
  const seenBreakFrom: number[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const after = indexedAfter[i]!;
    if (s.indexedMs !== undefined && s.indexedMs > Math.max(sinceMs, after + rule.holdMs) - INDEX_WRITE_MARGIN_MS) continue; // late
    kept.push(s);
    seenBreakFrom.push(Math.min(indexedAt(s), after));
  }
  // Cut at the first break whose follower was indexed within the hold (that time only grows
  // towards the end, so every later break is within its hold too).
  for (let i = 0; i < kept.length; i++) {
    if (i > 0 ? kept[i]!.seq === kept[i - 1]!.seq + 1 : rule.fromMs !== undefined && kept[0]!.startMs <= rule.fromMs) continue;
    const seenMs = seenBreakFrom[i]!;
    if (Number.isFinite(seenMs) && rule.nowMs < seenMs + rule.holdMs) return { listed: kept.slice(0, i), waiting: true };
  }
  return { listed: kept, waiting: false };
}
