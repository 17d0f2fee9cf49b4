import { BadRequestError } from '../../shared/playback-error.ts';
import { parseIsoMs } from '../../shared/request-input.ts';
import { buildTimeline, type Timeline } from '../../timeline/build-timeline.ts';
import type { ApiDeps } from '../api-deps.ts';

/** Longest range one timeline request may name (read page by page): 31 days. */
export const MAX_TIMELINE_RANGE_MS = 31 * 24 * 60 * 60 * 1000;
export const TimelinePage = { DEFAULT_SEGMENTS: 2000, MAX_SEGMENTS: 5000 } as const;

type Query = Record<string, string | undefined>;

/** GET /v1/cameras/{id}/timeline?start=ISO&end=ISO[&cursor=...][&limit=N] */
export async function getTimeline(deps: ApiDeps, deviceId: string, query: Query): Promise<Timeline> {
  const startMs = parseIsoMs('start', query.start);
  const endMs = parseIsoMs('end', query.end);
  if (endMs <= startMs) throw new BadRequestError('bad_range', 'end must be after start');
  if (endMs - startMs > MAX_TIMELINE_RANGE_MS) throw new BadRequestError('bad_range', 'a timeline range may span at most 31 days');
  let pageStartMs = startMs;
  if (query.cursor !== undefined) {
    const c = query.cursor;
    if (!/^\d{1,15}$/.test(c) || Number(c) < startMs || Number(c) >= endMs) throw new BadRequestError('bad_cursor', 'cursor must be the nextCursor of an earlier page of this same range');
    pageStartMs = Number(c);
  }
  let limit: number = TimelinePage.DEFAULT_SEGMENTS;
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!/^\d{1,5}$/.test(query.limit) || limit < 1 || limit > TimelinePage.MAX_SEGMENTS) throw new BadRequestError('bad_limit', `limit must be a whole number from 1 to ${TimelinePage.MAX_SEGMENTS}`);
  }
  // The first page also looks back one segment so a recording running into `start` shows.
  const lookBackMs = query.cursor === undefined ? deps.config.targetDurationSeconds * 1000 : 0;
  const page = await deps.index.querySegments(deviceId, Math.max(0, pageStartMs - lookBackMs), endMs, limit);
  const pageEndMs = page.nextStartMs ?? endMs;
  const events = await deps.index.queryEvents(deviceId, pageStartMs, pageEndMs);
  return buildTimeline(deviceId, pageStartMs, pageEndMs, page.items, events, page.nextStartMs !== undefined ? String(page.nextStartMs) : null, deps.clock.nowMs());
}
