import { describe, expect, it } from 'vitest';
import { AudioClock } from '../../../../device/media/clock/audio-clock.ts';
import { PictureClock } from '../../../../device/media/clock/picture-clock.ts';
import { FILE_START_TICKS } from '../../../../device/media/clock/raw-video-clock.ts';
import { TimedVideoClock } from '../../../../device/media/clock/timed-video-clock.ts';

const T0 = 1_700_000_000_000;

describe("TimedVideoClock: the source's PTS and DTS kept", () => {
  it('keeps both (B-frames: pts after dts), a one-tick stumble back is smoothed, a step back or jump is a discontinuity', () => {
    const c = new TimedVideoClock(3000);
    expect(c.next(T0 + 80, T0, 3600)).toEqual({ pts: (T0 + 80) * 90, dts: T0 * 90, jump: false });
    // 1 ms back (90 ticks, less than a frame): moved on by one tick past the last, pts with it.
    expect(c.next(T0 + 79, T0 - 1, 3600)).toEqual({ pts: (T0 + 79) * 90 + 91, dts: T0 * 90 + 1, jump: false });
    expect(c.next(T0 - 1000, T0 - 1000, 3600).jump).toBe(true); // a second back: a new connection
    expect(c.next(T0 + 5000, T0 + 5000, 3600).jump).toBe(true); // over maxGapMs ahead
    expect(c.next(T0 + 5010, T0 + 5040, 3600)).toMatchObject({ pts: (T0 + 5040) * 90, jump: false }); // pts never before dts
  });
});

describe("PictureClock: source times or raw times, and one frame's length", () => {
  it('files: frame n at FILE_START + n / fps, the SPS frame rate unless one is given', () => {
    const c = new PictureClock({ kind: 'frame-rate' }, 3000);
    expect(c.untimed(0, false, 25, true)).toEqual({ pts: FILE_START_TICKS, dts: FILE_START_TICKS, jump: false });
    c.skip(); // a dropped frame keeps its slot
    expect(c.untimed(0, false, 25, true).dts).toBe(FILE_START_TICKS + 2 * 3600);
    expect(c.frameTicks).toBe(3600);
    expect(c.toMs(FILE_START_TICKS + 90_000)).toBe(1000);
  });

  it('source times: the frame length follows the SPS rate (or decode steps) inside a segment', () => {
    const c = new PictureClock({ kind: 'arrival' }, 3000);
    c.timed(T0, T0, undefined, true);
    c.timed(T0 + 40, T0 + 40, undefined, true);
    expect(c.frameTicks).toBe(3600);
    c.timed(T0 + 73.3667, T0 + 73.3667, 29.97, true);
    expect(c.frameTicks).toBeCloseTo(90_000 / 29.97, 6);
  });
});

describe('AudioClock: AAC frame times', () => {
  const h = { samples: 1024, sampleRateHz: 48_000 };
  it('files count samples from FILE_START; live smooths arrival toward one frame after the last; given times are kept', () => {
    const files = new AudioClock(true);
    expect(files.next(h, 0, false)).toEqual({ ticks: FILE_START_TICKS, coveredTicks: FILE_START_TICKS + 1920 });
    expect(files.next(h, 0, false).ticks).toBe(FILE_START_TICKS + 1920);
    const live = new AudioClock(false);
    expect(live.next(h, T0, false).ticks).toBe(T0 * 90);
    // Arrives 8 ms late: 1/8 of the difference is taken (21.333 + 1 ms after).
    expect(live.next(h, T0 + 21.333 + 8, false).ticks).toBe(Math.round((T0 + 1024 / 48 + 1) * 90));
    expect(live.next(h, T0 + 100, true)).toEqual({ ticks: (T0 + 100) * 90, coveredTicks: (T0 + 100) * 90 + 1920 });
  });
});
