import { describe, expect, test } from 'vitest';
import { LIVE_WINDOW_SEGMENTS, SEGMENT_MS } from '../../bench/api/api-bench-options.ts';
import { liveWindowProblem, segmentsDue } from '../../bench/api/live-tail.ts';
import { segmentKey, SessionMode, targetDurationSeconds, toSegmentItem } from '../../contract/index.ts';
import { buildSessionPlaylist } from '../../lambda/playlist/build-session-playlist.ts';
import { MemorySegmentIndex } from '../lambda/support/memory-segment-index.ts';

const CAMERA = 'bench-cam';
const settings = { targetDurationSeconds: targetDurationSeconds(SEGMENT_MS / 1000), liveWindowSegments: LIVE_WINDOW_SEGMENTS };

/** bench:api's camera: segment n runs [firstMs + n * SEGMENT_MS, + SEGMENT_MS). */
function item(firstMs: number, n: number) {
  const startMs = firstMs + n * SEGMENT_MS;
  const meta = {
    startMs,
    durationMs: SEGMENT_MS,
    seq: n,
    discSeq: 0,
    keyId: '0'.repeat(32),
    iv: '1'.repeat(32),
    codecs: 'avc1.64001f',
    width: 1280,
    height: 720,
  };
  return toSegmentItem(CAMERA, meta, segmentKey({ deviceId: CAMERA, startMs, seq: n }), 188 * 64, 30);
}

/** The LIVE playlist a viewer of the camera gets at `nowMs` (the real playlist builder). */
async function livePlaylist(index: MemorySegmentIndex, nowMs: number): Promise<string> {
  const issuedAtSeconds = Math.floor(nowMs / 1000);
  const claims = { deviceId: CAMERA, mode: SessionMode.LIVE, issuedAtSeconds, expiresAtSeconds: issuedAtSeconds + 3600 };
  return (await buildSessionPlaylist(claims, index, settings, nowMs)).body;
}

describe("bench:api's live camera (bench/api/live-tail.ts)", () => {
  const seededAt = Date.UTC(2026, 11, 2, 6);
  const history = 300;
  const firstMs = seededAt - history * SEGMENT_MS;

  test('segmentsDue: the segments that have ended since the last one uploaded, none that is still being recorded', () => {
    expect(segmentsDue(firstMs, history, seededAt)).toEqual([]);
    expect(segmentsDue(firstMs, history, seededAt + SEGMENT_MS - 1)).toEqual([]);
    expect(segmentsDue(firstMs, history, seededAt + SEGMENT_MS)).toEqual([300]);
    expect(segmentsDue(firstMs, history, seededAt + 3.5 * SEGMENT_MS)).toEqual([300, 301, 302]);
    expect(segmentsDue(firstMs, 302, seededAt + 3.5 * SEGMENT_MS)).toEqual([302]);
  });

  test('a tail seeded once goes stale when seeding and the runs take 20 s (an empty window: what a slow bench measured); topped up with segmentsDue it is a full window', async () => {
    const index = MemorySegmentIndex.holding(
      CAMERA,
      Array.from({ length: history }, (_, n) => item(firstMs, n)),
    );
    expect(liveWindowProblem(await livePlaylist(index, seededAt), LIVE_WINDOW_SEGMENTS, history - 1)).toBeUndefined();

    const later = seededAt + 20_000;
    const stale = await livePlaylist(index, later);
    expect(stale).not.toContain('#EXTINF');
    expect(liveWindowProblem(stale, LIVE_WINDOW_SEGMENTS)).toMatch(/lists 0 segments, not 5/);

    const due = segmentsDue(firstMs, history, later);
    for (const n of due) await index.putSegment(item(firstMs, n));
    const live = await livePlaylist(index, later);
    expect(liveWindowProblem(live, LIVE_WINDOW_SEGMENTS, due.at(-1))).toBeUndefined();
    expect(live).toContain(`-${history + 9}.ts`);
  });

  test('liveWindowProblem says what is wrong: not a playlist, too few segments, an older newest segment', () => {
    expect(liveWindowProblem('<html>', 5)).toMatch(/not an HLS playlist/);
    const two = '#EXTM3U\n#EXTINF:2.000,\nsegments/1-7.ts\n#EXTINF:2.000,\nsegments/3-8.ts\n';
    expect(liveWindowProblem(two, 2, 8)).toBeUndefined();
    expect(liveWindowProblem(two, 5, 8)).toMatch(/lists 2 segments, not 5/);
    expect(liveWindowProblem(two, 2, 9)).toMatch(/newest segment listed is seq 8, older than seq 9/);
  });
});
