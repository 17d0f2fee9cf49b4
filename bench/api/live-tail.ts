import { SEGMENT_MS } from './api-bench-options.ts';

/*
 * bench:api's camera stays live. A LIVE playlist lists only segments that ended within
 * (liveWindowSegments + 1) target durations (12 s for 2 s segments and a window of 5), and
 * an idle camera's is an empty window. A tail seeded once went stale as soon as seeding,
 * session set-up and the runs took longer than that (a loaded machine: "the LIVE playlist is
 * not what the bench expects", or camrec measured serving an empty playlist against the
 * peer's full one). So the serving child uploads the camera's segments as a recording agent
 * does, each once it has ended, for as long as the bench runs, and both sides check that
 * what was measured was a full window.
 */

/**
 * The seqs from `next` on whose segments have ended by `nowMs`, for a camera whose segment n
 * runs [firstMs + n * segmentMs, firstMs + (n + 1) * segmentMs).
 */
export function segmentsDue(firstMs: number, next: number, nowMs: number, segmentMs = SEGMENT_MS): number[] {
  const due: number[] = [];
  for (let n = next; firstMs + (n + 1) * segmentMs <= nowMs; n++) due.push(n);
  return due;
}

/**
 * What is wrong with a LIVE playlist bench:api measures, or undefined when it is a full
 * window: `windowSegments` entries, the newest at seq `newestSeqAtLeast` or later.
 */
export function liveWindowProblem(text: string, windowSegments: number, newestSeqAtLeast = 0): string | undefined {
  if (!text.startsWith('#EXTM3U')) return `not an HLS playlist: ${JSON.stringify(text.slice(0, 80))}`;
  const uris = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  if (uris.length !== windowSegments)
    return `the LIVE window lists ${uris.length} segments, not ${windowSegments} (an idle camera's window is empty: the seeded camera's segments went stale)`;
  const newest = /-(\d+)\.ts(?:\?|$)/.exec(uris[uris.length - 1]!)?.[1];
  if (newest === undefined) return `cannot read a seq from the newest URI ${uris[uris.length - 1]}`;
  if (Number(newest) < newestSeqAtLeast) return `the newest segment listed is seq ${newest}, older than seq ${newestSeqAtLeast}`;
  return undefined;
}
