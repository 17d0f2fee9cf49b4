import { resolveEventEnd, type EventItem, type SegmentItem } from '../../contract/index.ts';
import type { TimelineImage } from './timeline-images.ts';

/** Segments closer than this are one recorded span (muxer rounding, upload jitter). */
export const SPAN_MERGE_TOLERANCE_MS = 500;

export interface TimeSpan {
  start: string;
  end: string;
  startMs: number;
  endMs: number;
}
export interface RecordedSpan extends TimeSpan {
  segments: number;
}
export interface TimelineEvent extends TimeSpan {
  eventId: string;
  type: string;
  label?: string;
  /** Still going on: `end`/`endMs` are now, and move on. */
  open?: true;
  /** How it ended, when it has (see contract/event-record.ts EventEndReason). */
  endReason?: string;
  /** Its picture (the first taken for it, else the first while it ran), when there is one. */
  image?: TimelineImage;
}
export interface Timeline {
  deviceId: string;
  start: string;
  end: string;
  spans: RecordedSpan[];
  gaps: TimeSpan[];
  events: TimelineEvent[];
  /** A strip of pictures, at most one per interval (see timeline-images.ts); empty without pictures. */
  images: TimelineImage[];
  /** When the picture URLs stop working (they ride on a session token for the page's range). */
  imagesExpireAt?: string;
  /** Pass as `cursor` to read the next page; null on the last page. */
  nextCursor: string | null;
}

const span = (startMs: number, endMs: number): TimeSpan => ({ start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), startMs, endMs });

/**
 * One page of a camera's timeline over [pageStartMs, pageEndMs): adjacent segments merged
 * into spans (clipped to the page), the holes between them as gaps, and the events that
 * overlap the page. A span that crosses a page boundary appears on both pages, cut there.
 * An event still open at `nowMs` ends "now" and is marked `open`; one open past its
 * maximum length ends there (its camera never closed it).
 */
export function buildTimeline(
  deviceId: string,
  pageStartMs: number,
  pageEndMs: number,
  segments: readonly Pick<SegmentItem, 'startMs' | 'durationMs'>[],
  events: readonly Pick<EventItem, 'eventId' | 'type' | 'startMs' | 'endMs' | 'label' | 'maxEndMs' | 'endReason'>[],
  nextCursor: string | null,
  nowMs: number = Date.now(),
): Timeline {
  const spans: RecordedSpan[] = [];
  let cur: { startMs: number; endMs: number; segments: number } | undefined;
  for (const s of segments) {
    const startMs = Math.max(s.startMs, pageStartMs);
    const endMs = Math.min(s.startMs + s.durationMs, pageEndMs);
    if (endMs <= startMs) continue;
    if (cur && startMs <= cur.endMs + SPAN_MERGE_TOLERANCE_MS) {
      cur.endMs = Math.max(cur.endMs, endMs);
      cur.segments++;
    } else {
      if (cur) spans.push({ ...span(cur.startMs, cur.endMs), segments: cur.segments });
      cur = { startMs, endMs, segments: 1 };
    }
  }
  if (cur) spans.push({ ...span(cur.startMs, cur.endMs), segments: cur.segments });
  const gaps: TimeSpan[] = [];
  let at = pageStartMs;
  for (const s of spans) {
    if (s.startMs > at) gaps.push(span(at, s.startMs));
    at = Math.max(at, s.endMs);
  }
  if (pageEndMs > at) gaps.push(span(at, pageEndMs));
  const evs: TimelineEvent[] = [];
  for (const e of events) {
    const { endMs, open } = resolveEventEnd(e, nowMs);
    if (!(endMs > pageStartMs || (open && e.startMs >= pageStartMs)) || e.startMs >= pageEndMs) continue;
    evs.push({
      eventId: e.eventId,
      type: e.type,
      ...span(e.startMs, endMs),
      ...(e.label !== undefined ? { label: e.label } : {}),
      ...(open ? { open: true as const } : {}),
      ...(e.endReason !== undefined && !open ? { endReason: e.endReason } : {}),
    });
  }
  return { deviceId, ...pick(span(pageStartMs, pageEndMs)), spans, gaps, events: evs, images: [], nextCursor };
}

const pick = (s: TimeSpan) => ({ start: s.start, end: s.end });
