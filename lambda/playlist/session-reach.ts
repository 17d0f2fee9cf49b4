import { SessionMode, type SessionClaims } from '../../contract/index.ts';
import { liveStaleAfterMs, MAX_PLAYLIST_RANGE_MS, type PlaylistSettings } from './build-session-playlist.ts';

/** The start times (UTC ms) of the segments a session may fetch: [fromMs, toMs). */
export interface SessionReach {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Exactly what a session's playlist can list, as a range of segment start times. Every
 * route that serves media or keys checks against this, so a token reaches nothing its
 * playlist could not name:
 *
 * - LIVE: from the issue time minus what the first live window can hold (a window lists
 *   segments that ended within liveStaleAfterMs, and a segment runs up to one target
 *   duration) to the expiry.
 * - LIVE_REPLAY: from start (less one target duration, for a segment running into it) to
 *   end, or start + 24 h without an end (the playlist's cap).
 * - ON_DEMAND: the same, with its end (at most 24 h after start).
 */
export function sessionReach(claims: SessionClaims, settings: PlaylistSettings): SessionReach {
  const targetMs = settings.targetDurationSeconds * 1000;
  if (claims.mode === SessionMode.LIVE) {
    return { fromMs: claims.issuedAtSeconds * 1000 - liveStaleAfterMs(settings) - targetMs, toMs: claims.expiresAtSeconds * 1000 };
  }
  const startMs = claims.startMs!;
  const capMs = startMs + MAX_PLAYLIST_RANGE_MS;
  return { fromMs: startMs - targetMs, toMs: Math.min(claims.endMs ?? capMs, capMs) };
}

export const reaches = (reach: SessionReach, startMs: number): boolean => startMs >= reach.fromMs && startMs < reach.toMs;
