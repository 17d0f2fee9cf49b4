import type { SegmentItem } from '../../contract/index.ts';
import type { PackLocation } from '../index/segment-index.ts';
import type { PlaylistEntry } from './playlist-entry.ts';

type Seg = Pick<SegmentItem, 'seq' | 'discSeq' | 'startMs' | 'durationMs' | 'keyId' | 'iv' | 'initId'> & { pack?: PackLocation };

const real = (s: Seg): PlaylistEntry => ({
  seq: s.seq,
  discSeq: s.discSeq,
  startMs: s.startMs,
  durationMs: s.durationMs,
  // The summary itself carries keyId, iv (and a pack location): no second object per entry (24 h is 14,400).
  segment: s,
  discontinuity: false,
});

/** `count` gap entries evenly filling the hole between two recorded segments. */
function gapsBetween(before: Seg, after: Seg, count: number): PlaylistEntry[] {
  const holeMs = after.startMs - (before.startMs + before.durationMs);
  const slotMs = holeMs > 0 ? holeMs / count : before.durationMs;
  const out: PlaylistEntry[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      seq: before.seq + 1 + i,
      discSeq: before.discSeq,
      startMs: Math.round(before.startMs + before.durationMs + i * slotMs),
      durationMs: Math.max(1, Math.round(slotMs)),
      discontinuity: false,
    });
  }
  return out;
}

function markDiscontinuities(entries: PlaylistEntry[]): PlaylistEntry[] {
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.discSeq !== entries[i - 1]!.discSeq) entries[i]!.discontinuity = true;
  }
  return entries;
}

export interface LiveWindow {
  mediaSequence: number;
  discontinuitySequence: number;
  entries: PlaylistEntry[];
}

/**
 * The LIVE sliding window over the newest segments (`recent`, any order, ideally the
 * newest 2 x windowSize). The window is a range of device seqs ending at the highest seq
 * seen, so EXT-X-MEDIA-SEQUENCE is a device seq and every entry's number is its own seq:
 *
 *   [lo .. maxSeq], lo = maxSeq - windowSize + 1
 *
 * A missing seq inside the range is a gap entry (EXT-X-GAP). When nothing of the camera's
 * history lies just below lo (it has only just started, or its seq jumped after lost
 * state) the window starts at the lowest seq present instead of with leading gaps.
 * EXT-X-DISCONTINUITY-SEQUENCE is the device disc-seq of the first entry, so both
 * sequence numbers only grow as the window slides.
 */
export function liveWindow(recent: readonly Seg[], windowSize: number): LiveWindow {
  if (recent.length === 0) return { mediaSequence: 0, discontinuitySequence: 0, entries: [] };
  let maxSeq = -1;
  for (const s of recent) if (s.seq > maxSeq) maxSeq = s.seq;
  const lo = Math.max(0, maxSeq - windowSize + 1);
  const bySeq = new Map<number, Seg>();
  let historyBelow = false;
  for (const s of recent) {
    if (s.seq >= lo) bySeq.set(s.seq, s);
    else if (s.seq >= lo - windowSize) historyBelow = true;
  }
  const first = historyBelow ? lo : Math.min(...bySeq.keys());
  const entries: PlaylistEntry[] = [];
  // Leading gaps (first..firstPresent-1) take times backwards from the first present segment.
  let firstPresent = first;
  while (!bySeq.has(firstPresent)) firstPresent++;
  const anchor = bySeq.get(firstPresent)!;
  for (let seq = first; seq < firstPresent; seq++) {
    const back = firstPresent - seq;
    entries.push({ seq, discSeq: anchor.discSeq, startMs: anchor.startMs - back * anchor.durationMs, durationMs: anchor.durationMs, discontinuity: false });
  }
  let prev: Seg | undefined;
  for (let seq = firstPresent; seq <= maxSeq; seq++) {
    const s = bySeq.get(seq);
    if (!s) continue;
    if (prev && s.seq > prev.seq + 1) entries.push(...gapsBetween(prev, s, s.seq - prev.seq - 1));
    entries.push(real(s));
    prev = s;
  }
  markDiscontinuities(entries);
  return { mediaSequence: first, discontinuitySequence: entries[0]!.discSeq, entries };
}

/**
 * The LIVE window of a camera whose recent segments are all stale (or that never
 * recorded): no entries, EXT-X-MEDIA-SEQUENCE the seq after the newest one (every earlier
 * segment has slid out of the window) and the newest disc-seq, so neither number goes
 * back when the camera records again (its next segment has a higher seq).
 */
export function idleWindow(recent: readonly Seg[]): LiveWindow {
  let newest: Seg | undefined;
  for (const s of recent) if (!newest || s.seq > newest.seq) newest = s;
  return newest
    ? { mediaSequence: newest.seq + 1, discontinuitySequence: newest.discSeq, entries: [] }
    : { mediaSequence: 0, discontinuitySequence: 0, entries: [] };
}

/** Hole sizes beyond this many missing segments are a pause in recording, not a gap. */
const MAX_GAP_SEGMENTS = 100;

/**
 * Entries for a time range (LIVE_REPLAY, ON_DEMAND) from segments ascending by startMs.
 * Missing seqs between two segments become gap entries when the hole in time fits them
 * (at most 1.5 x targetDuration each); any other jump (a pause, a restart, lost state) is
 * an EXT-X-DISCONTINUITY. Numbering is by position, so it stays stable while the list
 * only grows at its end or fills its gaps.
 */
export function rangeEntries(segments: readonly Seg[], targetDurationMs: number): PlaylistEntry[] {
  const entries: PlaylistEntry[] = [];
  let prev: Seg | undefined;
  for (const s of segments) {
    if (prev) {
      const missing = s.seq - prev.seq - 1;
      const holeMs = s.startMs - (prev.startMs + prev.durationMs);
      const fits = missing > 0 && missing <= MAX_GAP_SEGMENTS && holeMs > 0 && holeMs <= missing * targetDurationMs * 1.5;
      if (fits) entries.push(...gapsBetween(prev, s, missing));
      const e = real(s);
      // A jump in time (over 1 s) that no gap explains also breaks timestamps; so does another
      // init section (a new codec, resolution or container: fMP4 names its configuration there).
      if (s.discSeq !== prev.discSeq || s.initId !== prev.initId || (!fits && (missing !== 0 || Math.abs(holeMs) > 1000))) e.discontinuity = true;
      entries.push(e);
    } else {
      entries.push(real(s));
    }
    prev = s;
  }
  return entries;
}
