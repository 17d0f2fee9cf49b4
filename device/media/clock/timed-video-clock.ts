import { PTS_HZ } from '../../../media/ts/ts-constants.ts';

const TICKS_PER_MS = PTS_HZ / 1000;

export interface TimedFrameTime {
  /** 90 kHz ticks, unwrapped; pts >= dts. */
  pts: number;
  dts: number;
  /** Time went back or jumped (a new connection, a clock step): the open segment must end before this frame. */
  jump: boolean;
}

/**
 * Time for video given with its own presentation and decode times (RTSP, a container, the
 * library with PTS and DTS), in UTC ms with fractions: kept as given (B-frames welcome),
 * decode time kept increasing, presentation never before decode. A decode time that goes
 * back or jumps more than `maxGapMs` is a discontinuity (`jump`); a one-tick stumble
 * backwards (less than a frame) is smoothed over.
 */
export class TimedVideoClock {
  private lastDts: number | undefined;

  constructor(private readonly maxGapMs: number) {}

  /** `frameTicks` is one frame's duration as known now (for the stumble rule). */
  next(ptsMs: number, dtsMs: number, frameTicks: number): TimedFrameTime {
    let dts = Math.round(dtsMs * TICKS_PER_MS);
    let pts = Math.round(ptsMs * TICKS_PER_MS);
    const last = this.lastDts;
    let jump = false;
    if (last !== undefined && (dts <= last || dts - last > this.maxGapMs * TICKS_PER_MS)) {
      if (dts <= last && last - dts < frameTicks) {
        const shift = last + 1 - dts;
        dts += shift;
        pts += shift;
      } else {
        jump = true;
      }
    }
    if (pts < dts) pts = dts;
    this.lastDts = dts;
    return { pts, dts, jump };
  }

  /** Decode time of the last frame, when one came. */
  get last(): number | undefined {
    return this.lastDts;
  }
}
