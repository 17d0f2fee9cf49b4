import { imageName, type ImageItem } from '../../contract/index.ts';

/** A picture as the timeline lists it: its URL works with no other credentials until `urlExpiresAt`. */
export interface TimelineImage {
  /** `{tsMs}-{imageId}`: the name in the picture route. */
  id: string;
  at: string;
  atMs: number;
  url: string;
  /** Taken for (or during) this event. */
  eventId?: string;
}

/** The strip never lists more than this many pictures per page: a longer range widens the interval. */
export const MAX_STRIP_IMAGES = 500;
export const DEFAULT_STRIP_INTERVAL_SECONDS = 60;

/** The strip's interval for a page: at least `requestedSeconds`, and wide enough for MAX_STRIP_IMAGES. */
export function stripIntervalMs(pageStartMs: number, pageEndMs: number, requestedSeconds = DEFAULT_STRIP_INTERVAL_SECONDS): number {
  return Math.max(requestedSeconds * 1000, Math.ceil((pageEndMs - pageStartMs) / MAX_STRIP_IMAGES));
}

/**
 * The pictures of a page (ascending) -> a strip (the first picture in each interval slot
 * counted from `pageStartMs`) and the picture of each event (the first taken for it, else
 * the first taken while it ran). `url` names each picture's route.
 */
export function pickTimelineImages(
  images: readonly Pick<ImageItem, 'tsMs' | 'imageId' | 'eventId'>[],
  events: readonly { eventId: string; startMs: number; endMs: number }[],
  pageStartMs: number,
  intervalMs: number,
  url: (tsMs: number, name: string) => string,
): { strip: TimelineImage[]; byEvent: Map<string, TimelineImage> } {
  const show = (i: Pick<ImageItem, 'tsMs' | 'imageId' | 'eventId'>): TimelineImage => {
    const id = imageName(i);
    return { id, at: new Date(i.tsMs).toISOString(), atMs: i.tsMs, url: url(i.tsMs, id), ...(i.eventId !== undefined ? { eventId: i.eventId } : {}) };
  };
  const strip: TimelineImage[] = [];
  let slot = Number.NEGATIVE_INFINITY;
  for (const i of images) {
    const s = Math.floor((i.tsMs - pageStartMs) / intervalMs);
    if (s === slot) continue;
    slot = s;
    strip.push(show(i));
  }
  const byEvent = new Map<string, TimelineImage>();
  for (const e of events) {
    const own = images.find((i) => i.eventId === e.eventId) ?? images.find((i) => i.tsMs >= e.startMs && i.tsMs <= e.endMs);
    if (own) byEvent.set(e.eventId, show(own));
  }
  return { strip, byEvent };
}
