import { resolveEventEnd, SessionMode, type EventItem, type SessionClaims } from '../../contract/index.ts';
import { INDEX_WRITE_MARGIN_MS, type HistoryView, type SegmentIndex } from '../index/segment-index.ts';
import { idleWindow, liveWindow, rangeEntries } from './segment-entries.ts';
import { settleArrivals } from './settle-arrivals.ts';
import { PlaylistKind, renderMediaPlaylist, type MediaPlaylist, type PlaylistEvent } from './render-media-playlist.ts';

export interface PlaylistSettings {
  targetDurationSeconds: number;
  liveWindowSegments: number;
}

/**
 * The history a range session reads: packs that existed when the session was issued.
 * Hot copies are deleted a drain (the longest session and then some) after their pack, so
 * every hot URI a session is given stays valid until it expires, and a reload never
 * changes a segment's URI (a pack made during the session is not used by it).
 */
export function sessionHistoryView(claims: SessionClaims, nowMs: number): HistoryView {
  return { packedBeforeMs: claims.issuedAtSeconds * 1000, nowMs };
}

/**
 * A LIVE window lists only segments that ended within the last (liveWindowSegments + 1)
 * target durations: a normal window is younger than that, so a camera that stops
 * recording drains out of the window as a live window slides, and ends as an empty one.
 */
export const liveStaleAfterMs = (s: PlaylistSettings): number => (s.liveWindowSegments + 1) * s.targetDurationSeconds * 1000;

/**
 * How long a reloaded playlist waits at a missing segment before listing it as a gap: a
 * segment indexed up to one target duration after a later one is listed as itself.
 */
export const arrivalHoldMs = (s: PlaylistSettings): number => s.targetDurationSeconds * 1000 + INDEX_WRITE_MARGIN_MS;

/** How far ahead of the API's clock a camera's may be for its segments to be listed. */
const CLOCK_AHEAD_MS = 60 * 60 * 1000;

/** The most one playlist covers: 24 h (14,400 six-second segments). */
export const MAX_PLAYLIST_RANGE_MS = 24 * 60 * 60 * 1000;

export interface SessionPlaylist {
  kind: PlaylistKind;
  body: string;
  entryCount: number;
}

/**
 * The media playlist for a session:
 * - LIVE: sliding window of the newest segments (see liveWindow), never ENDLIST; a segment
 *   that lands out of order is waited for, then listed as a gap for good (settleArrivals). Stale
 *   segments (liveStaleAfterMs) are left out; an idle camera gets an empty window whose
 *   MEDIA-SEQUENCE is its next seq (see idleWindow), so a player waits for new video
 *   instead of playing old video as live, and the sequence never goes back.
 * - LIVE_REPLAY: EVENT playlist from start, growing (out-of-order segments as in LIVE), capped at start + 24 h (or end);
 *   ENDLIST once that range is over, late uploads had two target durations to land and no break is waited on.
 * - ON_DEMAND: VOD of [start, end), ENDLIST.
 * Range playlists include a segment that started before `start` but runs into it, and
 * list packed history as byte ranges of its packs (see sessionHistoryView).
 */
/** Events as DATERANGEs: an open one has no end yet; one open past its maximum length ends there. */
function playlistEvents(items: readonly EventItem[], nowMs: number): PlaylistEvent[] {
  return items.map((e) => {
    const { endMs, open } = resolveEventEnd(e, nowMs);
    return { eventId: e.eventId, type: e.type, startMs: e.startMs, ...(open ? {} : { endMs }) };
  });
}

export async function buildSessionPlaylist(claims: SessionClaims, index: SegmentIndex, settings: PlaylistSettings, nowMs: number): Promise<SessionPlaylist> {
  const targetMs = settings.targetDurationSeconds * 1000;
  let playlist: MediaPlaylist;
  if (claims.mode === SessionMode.LIVE) {
    const recent = await index.newestSegments(claims.deviceId, settings.liveWindowSegments * 2);
    const freshFromMs = nowMs - liveStaleAfterMs(settings);
    // Settled before the freshness cut, so a camera that resumes after an idle spell has its
    // old segments before the break (and its idle window names the next seq from what is listed).
    const settled = settleArrivals(recent, { nowMs, holdMs: arrivalHoldMs(settings) }).listed;
    const fresh = settled.filter((s) => s.startMs + s.durationMs >= freshFromMs);
    const w = fresh.length > 0 ? liveWindow(fresh, settings.liveWindowSegments) : idleWindow(settled);
    const first = w.entries[0];
    const last = w.entries[w.entries.length - 1];
    const events = first && last ? playlistEvents(await index.queryEvents(claims.deviceId, first.startMs, last.startMs + last.durationMs), nowMs) : [];
    playlist = {
      kind: PlaylistKind.LIVE,
      targetDurationSeconds: settings.targetDurationSeconds,
      mediaSequence: w.mediaSequence,
      discontinuitySequence: w.discontinuitySequence,
      entries: w.entries,
      events,
      ended: false,
    };
  } else {
    const startMs = claims.startMs!;
    const capMs = startMs + MAX_PLAYLIST_RANGE_MS;
    const endMs = Math.min(claims.endMs ?? capMs, capMs);
    // Nothing is recorded in the future: a growing LIVE_REPLAY reads up to now (and a camera clock up to an hour fast), not its whole 24 h.
    const readToMs = Math.max(startMs, Math.min(endMs, nowMs + CLOCK_AHEAD_MS));
    const [page, events] = await Promise.all([
      index.querySegments(claims.deviceId, Math.max(0, startMs - targetMs), readToMs, undefined, sessionHistoryView(claims, nowMs)),
      index.queryEvents(claims.deviceId, startMs, endMs),
    ]);
    const inRange = page.items.filter((s) => s.startMs + s.durationMs > startMs);
    const vod = claims.mode === SessionMode.ON_DEMAND;
    // A growing range is reloaded: what lands out of order is listed as in LIVE, relative to this
    // session. It ends (ENDLIST) once late uploads had two target durations to land (and the
    // index write margin to show) and no break is waited on, so the version a player stops
    // reloading at holds the whole range (what lands later still is for later sessions).
    const issuedMs = claims.issuedAtSeconds * 1000;
    const settled = vod
      ? { listed: inRange, waiting: false }
      : settleArrivals(inRange, { nowMs, holdMs: arrivalHoldMs(settings), sinceMs: issuedMs, fromMs: startMs });
    const segments = settled.listed;
    playlist = {
      kind: vod ? PlaylistKind.VOD : PlaylistKind.EVENT,
      targetDurationSeconds: settings.targetDurationSeconds,
      mediaSequence: 0,
      discontinuitySequence: 0,
      entries: rangeEntries(segments, targetMs),
      events: playlistEvents(events, nowMs),
      ended: vod || (nowMs >= endMs + 2 * targetMs + INDEX_WRITE_MARGIN_MS && !settled.waiting),
    };
  }
  return { kind: playlist.kind, body: renderMediaPlaylist(playlist), entryCount: playlist.entries.length };
}
