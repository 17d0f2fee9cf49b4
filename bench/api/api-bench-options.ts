/** bench:api's knobs (env) and the seeded camera, shared by the serving child and the load generator. */
export const CAMERA = 'bench-cam';
export const SEGMENT_MS = 2000;
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
  seedSeconds: number;
}
