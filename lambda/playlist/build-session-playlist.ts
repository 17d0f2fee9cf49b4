import { SessionMode, type SessionClaims } from '../../contract/index.ts';
import type { SegmentIndex } from '../index/segment-index.ts';
import { liveWindow, rangeEntries } from './segment-entries.ts';
import { PlaylistKind, renderMediaPlaylist, type MediaPlaylist } from './render-media-playlist.ts';

export interface PlaylistSettings {
  targetDurationSeconds: number;
  liveWindowSegments: number;
}

/** The most one playlist covers: 24 h (14,400 six-second segments). */
export const MAX_PLAYLIST_RANGE_MS = 24 * 60 * 60 * 1000;

export interface SessionPlaylist {
  kind: PlaylistKind;
  body: string;
  entryCount: number;
}

/**
 * The media playlist for a session:
 * - LIVE: sliding window of the newest segments (see liveWindow), never ENDLIST.
 * - LIVE_REPLAY: EVENT playlist from start, growing, capped at start + 24 h (or end);
 *   ENDLIST once that range is over and late uploads had two target durations to land.
 * - ON_DEMAND: VOD of [start, end), ENDLIST.
 * Range playlists include a segment that started before `start` but runs into it.
 */
export async function buildSessionPlaylist(claims: SessionClaims, index: SegmentIndex, settings: PlaylistSettings, nowMs: number): Promise<SessionPlaylist> {
  const targetMs = settings.targetDurationSeconds * 1000;
  let playlist: MediaPlaylist;
  if (claims.mode === SessionMode.LIVE) {
    const recent = await index.newestSegments(claims.deviceId, settings.liveWindowSegments * 2);
    const w = liveWindow(recent, settings.liveWindowSegments);
    const first = w.entries[0];
    const last = w.entries[w.entries.length - 1];
    const events = first && last ? await index.queryEvents(claims.deviceId, first.startMs, last.startMs + last.durationMs) : [];
    playlist = { kind: PlaylistKind.LIVE, targetDurationSeconds: settings.targetDurationSeconds, mediaSequence: w.mediaSequence, discontinuitySequence: w.discontinuitySequence, entries: w.entries, events, ended: false };
  } else {
    const startMs = claims.startMs!;
    const capMs = startMs + MAX_PLAYLIST_RANGE_MS;
    const endMs = Math.min(claims.endMs ?? capMs, capMs);
    const [page, events] = await Promise.all([
      index.querySegments(claims.deviceId, Math.max(0, startMs - targetMs), endMs),
      index.queryEvents(claims.deviceId, startMs, endMs),
    ]);
    const segments = page.items.filter((s) => s.startMs + s.durationMs > startMs);
    const vod = claims.mode === SessionMode.ON_DEMAND;
    playlist = {
      kind: vod ? PlaylistKind.VOD : PlaylistKind.EVENT,
      targetDurationSeconds: settings.targetDurationSeconds,
      mediaSequence: 0,
      discontinuitySequence: 0,
      entries: rangeEntries(segments, targetMs),
      events,
      ended: vod || nowMs >= endMs + 2 * targetMs,
    };
  }
  return { kind: playlist.kind, body: renderMediaPlaylist(playlist), entryCount: playlist.entries.length };
}
