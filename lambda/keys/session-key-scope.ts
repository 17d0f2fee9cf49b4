import type { SessionClaims } from '../../contract/index.ts';
import type { SegmentIndex } from '../index/segment-index.ts';
import type { PlaylistSettings } from '../playlist/build-session-playlist.ts';
import { sessionReach } from '../playlist/session-reach.ts';

/**
 * Which data keys a session may have: those of the segments its playlist can list. A key
 * is in use from its first segment to its last; the index knows which segments use which
 * key (every segment item names its key id, and so does a pack item for each segment of
 * packed history), so the key ids in the session's reach (see sessionReach) are read over
 * that range (hour and pack items, and segment items where they are not packed), and kept
 * per session: a player
 * asks for each key of its playlist, and the next ask for the same session is answered
 * from memory. A key id not found (a new key on a LIVE or LIVE_REPLAY session, whose
 * range grows) reads the range once more.
 *
 * Memory: at most `sessions` sessions, each with the key ids of at most 24 h of
 * segments (one per rotation, 25 by default).
 */
export interface SessionKeyScope {
  allows(token: string, claims: SessionClaims, keyId: string, nowMs: number): Promise<boolean>;
}

export function createSessionKeyScope(index: SegmentIndex, settings: PlaylistSettings, sessions = 1000): SessionKeyScope {
  const known = new Map<string, Set<string>>();
  const targetMs = settings.targetDurationSeconds * 1000;

  async function keyIdsInReach(claims: SessionClaims, nowMs: number): Promise<Set<string>> {
    const reach = sessionReach(claims, settings);
    // Nothing starts later than now (plus a segment of clock skew): do not ask for the future.
    const toMs = Math.min(reach.toMs, nowMs + targetMs);
    const ids = new Set<string>();
    if (toMs <= reach.fromMs) return ids;
    const page = await index.querySegments(claims.deviceId, Math.max(0, reach.fromMs), toMs);
    for (const s of page.items) if (s.startMs >= reach.fromMs) ids.add(s.keyId);
    return ids;
  }

  return {
    async allows(token, claims, keyId, nowMs) {
      const hit = known.get(token);
      if (hit?.has(keyId)) {
        known.delete(token);
        known.set(token, hit);
        return true;
      }
      const ids = await keyIdsInReach(claims, nowMs);
      known.delete(token);
      known.set(token, ids);
      if (known.size > sessions) known.delete(known.keys().next().value!);
      return ids.has(keyId);
    },
  };
}
