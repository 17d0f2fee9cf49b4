/** bench:api's knobs (env) and the seeded camera, shared by the serving child and the load generator. */
export const CAMERA = 'bench-cam';
export const SEGMENT_MS = 2000;
/** The stack's LIVE window (segments per LIVE playlist). */
export const LIVE_WINDOW_SEGMENTS = 5;
export const SECONDS = Math.max(1, Number(process.env.BENCH_SECONDS ?? 10));
export const VIEWERS = (process.env.BENCH_VIEWERS ?? '100,1000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
export const SEGMENTS = Math.max(1, Number(process.env.BENCH_SEGMENTS ?? 300));
export const TOKENS = Math.max(1, Number(process.env.BENCH_TOKENS ?? 200));

/** What the serving child reports on its first stdout line. */
export interface Ready {
  apiUrl: string;
  peerUrl: string;
  playlistPaths: string[];
  playlistBytes: number;
  indexedSegments: number;
  /** The newest segment the LIVE playlist listed when the child was ready (the camera records on: later ones follow every SEGMENT_MS). */
  newestSeq: number;
  seedSeconds: number;
}
