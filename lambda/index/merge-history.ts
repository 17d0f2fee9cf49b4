import { HourStatus } from '../../contract/index.ts';
import type { HistoryView, SegmentSummary } from './segment-index.ts';

/** One pack as a reader sees it. */
export interface PackView {
  /** The pack's playlist name. */
  name: string;
  packedAtMs: number;
  /** When its item expires (UTC ms), with its object. */
  expiresAtMs: number;
  /** Its segments, each with `pack` (this pack's name, its offset and length), ascending. */
  segments: readonly SegmentSummary[];
}

/** One pack hour as a reader sees it: its status item (when there is one) and its packs. */
export interface HourView {
  hourMs: number;
  status: HourStatus | undefined;
  packs: PackView[];
}

export const packVisible = (p: PackView, view: HistoryView): boolean =>
  p.packedAtMs <= (view.packedBeforeMs ?? Number.POSITIVE_INFINITY) && (view.nowMs === undefined || p.expiresAtMs > view.nowMs);

/**
 * Whether a reader must read the hour's segment items: when it has no status item (never
 * packed, or indexed before packing existed), is open (hot segments not packed yet), or
 * has a pack this view may not use yet.
 */
export function hourNeedsHot(h: HourView | undefined, view: HistoryView): boolean {
  if (!h || h.status !== HourStatus.PACKED) return true;
  return h.packs.some((p) => !packVisible(p, view));
}

/** The parts of [startMs, endMs) whose segment items must be read, as merged [lo, hi) ranges. */
export function hotRanges(hours: ReadonlyMap<number, HourView>, periodMs: number, startMs: number, endMs: number, view: HistoryView): [number, number][] {
  const out: [number, number][] = [];
  for (let h = Math.floor(startMs / periodMs) * periodMs; h < endMs; h += periodMs) {
    if (!hourNeedsHot(hours.get(h), view)) continue;
    const lo = Math.max(startMs, h);
    const hi = Math.min(endMs, h + periodMs);
    const last = out[out.length - 1];
    if (last && last[1] === lo) last[1] = hi;
    else out.push([lo, hi]);
  }
  return out;
}

function strictlyAscending(list: readonly SegmentSummary[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i]!.startMs <= list[i - 1]!.startMs) return false;
  return true;
}

/**
 * Segments in [startMs, endMs): every segment of a visible pack as a byte range of it, and
 * every hot segment that no visible pack holds (a pack run that crashed before deleting,
 * a pack this view may not use yet, a late segment awaiting its follow-up pack). Each
 * segment once, ascending by start.
 */
export function mergeHistory(startMs: number, endMs: number, hot: readonly SegmentSummary[], hours: Iterable<HourView>, view: HistoryView): SegmentSummary[] {
  const out: SegmentSummary[] = [];
  let packs = 0;
  for (const h of hours) {
    for (const p of h.packs) {
      if (!packVisible(p, view)) continue;
      packs++;
      for (const s of p.segments) if (s.startMs >= startMs && s.startMs < endMs) out.push(s);
    }
  }
  // No hot segment and packs in order without overlap (a packed day): nothing to merge.
  if (hot.length === 0 && (packs <= 1 || strictlyAscending(out))) return out;
  const seen = new Set<number>();
  const merged: SegmentSummary[] = [];
  for (const s of out) {
    if (seen.has(s.startMs)) continue;
    seen.add(s.startMs);
    merged.push(s);
  }
  for (const s of hot) if (!seen.has(s.startMs)) merged.push(s);
  // Packs come hour by hour in order: sorting an almost sorted list is cheap.
  return merged.sort((a, b) => a.startMs - b.startMs);
}
