import type { PackLocation } from '../index/segment-index.ts';

/** One line group of a media playlist: a recorded segment, or a placeholder for a missing one. */
export interface PlaylistEntry {
  /** Device seq (the live media sequence number). */
  seq: number;
  discSeq: number;
  startMs: number;
  durationMs: number;
  /**
   * Absent for a gap (EXT-X-GAP): nothing was recorded, or it has not arrived yet. With
   * `pack`, the segment is a byte range of packed history (EXT-X-BYTERANGE). With `initId`,
   * an fMP4 segment (`.m4s`) whose init section is `init/{initId}.mp4` (EXT-X-MAP).
   */
  segment?: { keyId: string; iv: string; pack?: PackLocation; initId?: string };
  /** EXT-X-DISCONTINUITY before this entry. */
  discontinuity: boolean;
}

/** Playlist-relative URIs; the playlist lives at .../v1/sessions/{token}/playlist.m3u8. */
export const segmentUri = (e: Pick<PlaylistEntry, 'startMs' | 'seq' | 'segment'>): string =>
  `segments/${e.startMs}-${e.seq}.${e.segment?.initId === undefined ? 'ts' : 'm4s'}`;
/** An fMP4 init section of the session's camera (clear, never packed). */
export const initUri = (initId: string): string => `init/${initId}.mp4`;
/**
 * The name of the MPEG-TS initialization section (PAT + PMT, media/ts/ts-init-section.ts) on
 * the init route: a playlist names it with EXT-X-MAP where TS segments follow fMP4 ones.
 */
export const TS_INIT_NAME = 'mpegts-pat-pmt.ts';
export const gapUri = (seq: number): string => `segments/gap-${seq}.ts`;
export const keyUri = (keyId: string): string => `keys/${keyId}`;
/** A pack of history; players fetch their segment's EXT-X-BYTERANGE of it (named .m4s for fMP4 segments: players guess the container from the name). */
export const packUri = (name: string, fmp4 = false): string => `packs/${fmp4 ? name.replace(/\.ts$/, '.m4s') : name}`;

/** Segment names the segment route accepts: `{startMs}-{seq}.ts`, or `.m4s` for fMP4. */
export const SEGMENT_NAME_PATTERN = /^(\d{1,15})-(\d{1,16})\.(ts|m4s)$/;
/** Init section names the init route accepts: `{initId}.mp4`. */
export const INIT_NAME_PATTERN = /^([0-9a-f]{32})\.mp4$/;
