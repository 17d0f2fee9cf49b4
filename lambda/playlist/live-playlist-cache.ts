import type { SessionPlaylist } from './build-session-playlist.ts';

/** A LIVE playlist is kept this long at most, whatever the target duration. */
export const LIVE_CACHE_MAX_MS = 1000;
/** Cameras kept at once; past this the oldest entry goes first. */
export const LIVE_CACHE_MAX_CAMERAS = 10_000;

/**
 * How long one camera's LIVE playlist may be served from memory: min(1 s, targetDuration / 4).
 * Players reload a LIVE playlist every target duration (half of it when unchanged), so a
 * viewer never polls twice within one lifetime and each of its polls sees a read made
 * after its previous poll.
 */
export const liveCacheTtlMs = (targetDurationSeconds: number): number => Math.min(LIVE_CACHE_MAX_MS, (targetDurationSeconds * 1000) / 4);

export interface LivePlaylistCacheOptions {
  /** Lifetime of an entry; 0 turns the cache off (every poll reads the index). */
  readonly ttlMs: number;
  /** @default LIVE_CACHE_MAX_CAMERAS */
  readonly maxCameras?: number;
}

export interface LivePlaylistCache {
  /**
   * The camera's LIVE playlist: the one loaded within the last ttlMs (by `nowMs`), else
   * `load()`'s. Concurrent misses share one load; a failed load is not kept.
   */
  get(deviceId: string, nowMs: number, load: () => Promise<SessionPlaylist>): Promise<SessionPlaylist>;
  /** Cameras held now (for tests and metrics). */
  readonly size: number;
}

interface Entry {
  readonly loadedAtMs: number;
  readonly playlist: Promise<SessionPlaylist>;
}

/**
 * Per-camera cache of rendered LIVE playlists. A LIVE playlist depends only on the camera
 * (its URIs are relative to the session's own path, so every session of a camera gets the
 * same text), so many viewers of one camera cost one pair of index Queries per ttlMs
 * instead of one per poll. Lives as long as the handler: a Lambda container keeps it
 * across warm invocations.
 *
 * RFC 8216 rules hold: one entry is one snapshot (segments and events read together), and
 * the index reads it caches are strongly consistent, so a playlist loaded after a viewer's
 * previous poll is never older than what that viewer saw; MEDIA-SEQUENCE does not go back.
 */
export function createLivePlaylistCache(opts: LivePlaylistCacheOptions): LivePlaylistCache {
  const maxCameras = opts.maxCameras ?? LIVE_CACHE_MAX_CAMERAS;
  const entries = new Map<string, Entry>();

  return {
    get(deviceId, nowMs, load) {
      if (opts.ttlMs <= 0) return load();
      const hit = entries.get(deviceId);
      if (hit && nowMs >= hit.loadedAtMs && nowMs - hit.loadedAtMs < opts.ttlMs) return hit.playlist;
      if (hit) entries.delete(deviceId);
      else if (entries.size >= maxCameras) entries.delete(entries.keys().next().value!);
      const entry: Entry = { loadedAtMs: nowMs, playlist: load() };
      entries.set(deviceId, entry);
      entry.playlist.catch(() => {
        if (entries.get(deviceId) === entry) entries.delete(deviceId);
      });
      return entry.playlist;
    },
    get size() {
      return entries.size;
    },
  };
}
