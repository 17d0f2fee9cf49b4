import { UnsupportedStreamError } from '../../../media/media-error.ts';
import type { VideoTiming } from '../segmenter-options.ts';
import { PTS_HZ } from '../../../media/ts/ts-constants.ts';

const TICKS_PER_MS = PTS_HZ / 1000;
/** Files start at PTS 1.4 s (as ffmpeg does), so PCR = DTS - 0.7 s stays positive. */
export const FILE_START_TICKS = 126_000;
/** 1/30 s, until a frame rate or interval is known. */
export const DEFAULT_FRAME_TICKS = 3000;
/** Arrival times within this of the expected time are smoothed, not taken raw. */
const ARRIVAL_SMOOTHING_WINDOW_MS = 1000;
const ARRIVAL_SMOOTHING_GAIN = 1 / 8;

export interface RawFrameTime {
  /** 90 kHz ticks (unwrapped); presentation and decode time alike (no reordering). */
  ticks: number;
  /** The frame came more than maxGapMs after the previous one: the open segment must end before it. */
  gap: boolean;
}

/**
 * Time for video that carries none (raw Annex-B from a pipe, a file, or putVideoFrame with
 * one capture time): by arrival, smoothed toward the SPS frame rate so a burst of frames
 * in one pipe read does not share a timestamp, or by frame count for files
 * (`frame-rate`). Sources with their own clock (RTSP, containers, the library with PTS
 * and DTS) skip this and keep their timestamps.
 */
export class RawVideoClock {
  private frameIndex = 0;
  private lastMs: number | undefined;
  /** Duration of one frame, as last known (90 kHz). */
  frameTicks = DEFAULT_FRAME_TICKS;

  constructor(
    private readonly timing: VideoTiming,
    private readonly maxGapMs: number,
  ) {}

  /** A frame that will be dropped (no SPS yet): keeps its slot under frame-rate timing. */
  skip(): void {
    if (this.timing.kind === 'frame-rate') this.frameIndex++;
  }

  /**
   * The next frame's time. `ms` is its arrival or capture time (UTC ms), `explicit` when
   * the caller gave it (used as given: only kept increasing), `fps` the SPS frame rate.
   */
  next(ms: number, explicit: boolean, fps: number | undefined, hasSps: boolean): RawFrameTime {
    if (this.timing.kind === 'frame-rate') {
      const rate = this.timing.fps ?? fps;
      if (!rate && !hasSps) return { ticks: FILE_START_TICKS + this.frameIndex++ * DEFAULT_FRAME_TICKS, gap: false };
      if (!rate) throw new UnsupportedStreamError('the video stream has no frame rate in its SPS (VUI timing): pass --fps N');
      this.frameTicks = PTS_HZ / rate;
      return { ticks: FILE_START_TICKS + Math.round((this.frameIndex++ * PTS_HZ) / rate), gap: false };
    }
    const last = this.lastMs;
    let gap = false;
    if (last !== undefined) {
      if (!explicit) {
        const expected = last + (fps ? 1000 / fps : this.frameTicks / TICKS_PER_MS);
        const diff = ms - expected;
        if (Math.abs(diff) < ARRIVAL_SMOOTHING_WINDOW_MS) ms = expected + diff * ARRIVAL_SMOOTHING_GAIN;
      }
      if (ms <= last) ms = last + 1;
      gap = ms - last > this.maxGapMs;
      if (!gap) this.frameTicks = fps ? PTS_HZ / fps : (ms - last) * TICKS_PER_MS;
    }
    this.lastMs = ms;
    return { ticks: Math.round(ms * TICKS_PER_MS), gap };
  }

  /** UTC ms of a tick value this clock made. */
  toMs(ticks: number): number {
    if (this.timing.kind === 'frame-rate') return (this.timing.epochMs ?? 0) + (ticks - FILE_START_TICKS) / TICKS_PER_MS;
    return ticks / TICKS_PER_MS;
  }
}
