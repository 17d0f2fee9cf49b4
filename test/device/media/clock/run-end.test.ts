import { describe, expect, it } from 'vitest';
import { DEFAULT_VIDEO_FRAME_TICKS, RunEnd } from '../../../../device/media/clock/run-end.ts';

const FRAME = 3600; // 25 fps
const AAC_48K = 1920; // 1024 samples at 48 kHz

describe('RunEnd: where a run of times ends, for the next run (a reconnect) to start', () => {
  it('nothing handed on: no end', () => {
    expect(new RunEnd().ticks).toBeUndefined();
  });

  it('video only: the last frame plus the mean frame interval of the run', () => {
    const r = new RunEnd();
    for (const dts of [0, FRAME, 2 * FRAME, 3 * FRAME + 100, 4 * FRAME]) r.video(dts, dts);
    expect(r.videoFrameTicks).toBe(FRAME);
    expect(r.ticks).toBe(5 * FRAME);
  });

  it('re-stamped frames (under 1 ms apart) and gaps (over 1 s) do not count toward the interval', () => {
    const r = new RunEnd();
    for (const dts of [0, FRAME, FRAME + 1, FRAME + 2, FRAME + 3, 2 * FRAME + 3, 2 * FRAME + 3 + 5 * 90_000, 3 * FRAME + 3 + 5 * 90_000]) r.video(dts, dts);
    expect(r.videoFrameTicks).toBe(FRAME);
  });

  it('B-frames: the end is after the latest presentation time, not the last decode time', () => {
    const r = new RunEnd();
    // I P B B: decode 0 1 2 3, presentation 1 4 2 3 (in frames, offset one frame).
    for (const [pts, dts] of [
      [1, 0],
      [4, 1],
      [2, 2],
      [3, 3],
    ] as const)
      r.video(pts * FRAME, dts * FRAME);
    expect(r.ticks).toBe(5 * FRAME);
  });

  it('one frame only: a default interval of 100 ms (one frame of a 10 fps camera)', () => {
    const r = new RunEnd();
    r.video(7200, 7200);
    expect(r.ticks).toBe(7200 + DEFAULT_VIDEO_FRAME_TICKS);
    expect(DEFAULT_VIDEO_FRAME_TICKS).toBe(9000);
  });

  it('audio that ends after the video: the end of its last frame', () => {
    const r = new RunEnd();
    r.video(0, 0);
    r.video(FRAME, FRAME);
    r.audio(FRAME + 3000, AAC_48K);
    expect(r.ticks).toBe(FRAME + 3000 + AAC_48K);
    r.audio(0, AAC_48K); // an earlier frame handed on late changes nothing
    expect(r.ticks).toBe(FRAME + 3000 + AAC_48K);
  });

  it('audio that ends before the next video frame would: the video decides', () => {
    const r = new RunEnd();
    r.video(0, 0);
    r.video(FRAME, FRAME);
    r.audio(FRAME, AAC_48K);
    expect(r.ticks).toBe(2 * FRAME);
  });
});
