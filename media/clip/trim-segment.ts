import type { SegmentSamples } from './segment-samples.ts';

const TICKS_PER_MS = 90;

/** What is left of a segment after the clip's range cut it, and where that lies on the wall clock. */
export interface TrimmedSegment {
  samples: SegmentSamples;
  /** UTC ms of the first picture kept (a sync sample): the segment's start for the clip writer. */
  startMs: number;
  /** UTC ms where the last picture kept ends. */
  endMs: number;
  /** Pictures dropped before the keyframe at or before the range's start, and at or after its end. */
  droppedBefore: number;
  droppedAfter: number;
}

/**
 * Cuts one segment (its samples, and `segment`: its start and length as the index says)
 * to the range [startMs, endMs) of the wall clock. A picture's wall-clock time is the
 * segment's start plus its pts past the first picture's pts.
 *
 * Start: a clip must begin at a sync sample (nothing before it can be decoded), so it
 * begins at the last sync sample whose time is at or before `startMs`: at most one GOP
 * early, never late. End: pictures are kept up to the last one (in decode order) shown
 * before `endMs`, so no picture shown before the end is lost (with B-frames a reference
 * picture shown just after the end may come along). Audio is kept from the first picture
 * kept to `endMs`. Undefined when no picture of the segment is shown in the range.
 */
export function trimSegment(
  s: SegmentSamples,
  segment: { startMs: number; durationMs: number },
  range: { startMs: number; endMs: number },
): TrimmedSegment | undefined {
  const video = s.video;
  if (!video.length) return undefined;
  const firstPts = video[0]!.pts;
  const wallMs = (pts: number): number => segment.startMs + (pts - firstPts) / TICKS_PER_MS;
  let from = 0;
  for (let i = 0; i < video.length; i++) if (video[i]!.isSync && wallMs(video[i]!.pts) <= range.startMs) from = i;
  let to = -1;
  for (let i = video.length - 1; i >= from; i--)
    if (wallMs(video[i]!.pts) < range.endMs) {
      to = i;
      break;
    }
  if (to < from) return undefined;
  const kept = video.slice(from, to + 1);
  const startMs = Math.round(wallMs(kept[0]!.pts));
  const segmentEndMs = segment.startMs + segment.durationMs;
  let endMs = segmentEndMs;
  if (to < video.length - 1) {
    // The last picture shown ends where the next one (in presentation order) of the segment begins.
    const lastShown = Math.max(...kept.map((v) => v.pts));
    const next = Math.min(...video.filter((v) => v.pts > lastShown).map((v) => v.pts));
    endMs = Math.min(segmentEndMs, Math.round(wallMs(next)));
  }
  const firstKeptPts = Math.min(...kept.map((v) => v.pts));
  const audio = s.audio.filter((a) => a.pts >= firstKeptPts && wallMs(a.pts) < range.endMs);
  return {
    samples: { ...s, video: kept, audio },
    startMs,
    endMs,
    droppedBefore: from,
    droppedAfter: video.length - 1 - to,
  };
}
