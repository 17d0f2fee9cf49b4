import { MAX_PLAYLIST_RANGE_MS } from '../../playlist/build-session-playlist.ts';
import { SessionLifetime, SessionMode, signSessionToken } from '../../../contract/index.ts';
import { BadRequestError } from '../../shared/playback-error.ts';
import { pickTimelineImages, stripIntervalMs } from '../../timeline/timeline-images.ts';
import { parseIsoMs } from '../../shared/request-input.ts';
import { buildTimeline, type Timeline } from '../../timeline/build-timeline.ts';
import type { ApiDeps } from '../api-deps.ts';

/** Longest range one timeline request may name (read page by page): 31 days. */
export const MAX_TIMELINE_RANGE_MS = 31 * 24 * 60 * 60 * 1000;
export const TimelinePage = { DEFAULT_SEGMENTS: 2000, MAX_SEGMENTS: 5000 } as const;

type Query = Record<string, string | undefined>;

/**
 * GET /v1/cameras/{id}/timeline?start=ISO&end=ISO[&cursor=...][&limit=N][&imageEverySeconds=N]
 *
 * With pictures (`deps.images`), the page lists a strip of them (at most one per
 * `imageEverySeconds`, default 60, widened to at most 500 a page) and each event's
 * picture. Their URLs are the session picture route under ON_DEMAND tokens minted for the
 * page's range (one per 24 h of it, the longest a session reaches), valid for an hour.
 */
export async function getTimeline(deps: ApiDeps, deviceId: string, query: Query, baseUrl = ''): Promise<Timeline> {
  const startMs = parseIsoMs('start', query.start);
  const endMs = parseIsoMs('end', query.end);
  if (endMs <= startMs) throw new BadRequestError('bad_range', 'end must be after start');
  if (endMs - startMs > MAX_TIMELINE_RANGE_MS) throw new BadRequestError('bad_range', 'a timeline range may span at most 31 days');
  let pageStartMs = startMs;
  if (query.cursor !== undefined) {
    const c = query.cursor;
    if (!/^\d{1,15}$/.test(c) || Number(c) < startMs || Number(c) >= endMs)
      throw new BadRequestError('bad_cursor', 'cursor must be the nextCursor of an earlier page of this same range');
    pageStartMs = Number(c);
  }
  let limit: number = TimelinePage.DEFAULT_SEGMENTS;
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!/^\d{1,5}$/.test(query.limit) || limit < 1 || limit > TimelinePage.MAX_SEGMENTS)
      throw new BadRequestError('bad_limit', `limit must be a whole number from 1 to ${TimelinePage.MAX_SEGMENTS}`);
  }
  // The first page also looks back one segment so a recording running into `start` shows.
  const lookBackMs = query.cursor === undefined ? deps.config.targetDurationSeconds * 1000 : 0;
  const page = await deps.index.querySegments(deviceId, Math.max(0, pageStartMs - lookBackMs), endMs, limit);
  const pageEndMs = page.nextStartMs ?? endMs;
  const events = await deps.index.queryEvents(deviceId, pageStartMs, pageEndMs);
  const nowMs = deps.clock.nowMs();
  const timeline = buildTimeline(deviceId, pageStartMs, pageEndMs, page.items, events, page.nextStartMs !== undefined ? String(page.nextStartMs) : null, nowMs);
  if (deps.images) await addImages(deps, deps.images, timeline, deviceId, pageStartMs, pageEndMs, query, baseUrl, nowMs);
  return timeline;
}

async function addImages(
  deps: ApiDeps,
  images: NonNullable<ApiDeps['images']>,
  t: Timeline,
  deviceId: string,
  fromMs: number,
  toMs: number,
  query: Query,
  baseUrl: string,
  nowMs: number,
): Promise<void> {
  let every: number | undefined;
  if (query.imageEverySeconds !== undefined) {
    every = Number(query.imageEverySeconds);
    if (!/^\d{1,6}$/.test(query.imageEverySeconds) || every < 1 || every > 86_400)
      throw new BadRequestError('bad_image_interval', 'imageEverySeconds must be a whole number from 1 to 86400');
  }
  const items = await images.queryImages(deviceId, fromMs, toMs);
  if (!items.length) return;
  const signing = await deps.tokenSecrets.signing();
  const issuedAtSeconds = Math.floor(nowMs / 1000);
  const expiresAtSeconds = issuedAtSeconds + SessionLifetime.DEFAULT_SECONDS;
  const tokens = new Map<number, string>();
  // One ON_DEMAND token per 24 h window of the page: each picture's URL reaches exactly its window.
  const url = (tsMs: number, name: string) => {
    const w = Math.floor((tsMs - fromMs) / MAX_PLAYLIST_RANGE_MS);
    let token = tokens.get(w);
    if (!token) {
      const startMs = fromMs + w * MAX_PLAYLIST_RANGE_MS;
      token = signSessionToken(
        { deviceId, mode: SessionMode.ON_DEMAND, startMs, endMs: Math.min(toMs, startMs + MAX_PLAYLIST_RANGE_MS), issuedAtSeconds, expiresAtSeconds },
        signing,
      );
      tokens.set(w, token);
    }
    return `${baseUrl}/v1/sessions/${token}/images/${name}.jpg`;
  };
  const picked = pickTimelineImages(items, t.events, fromMs, stripIntervalMs(fromMs, toMs, every), url);
  t.images = picked.strip;
  for (const e of t.events) {
    const image = picked.byEvent.get(e.eventId);
    if (image) e.image = image;
  }
  t.imagesExpireAt = new Date(expiresAtSeconds * 1000).toISOString();
}
