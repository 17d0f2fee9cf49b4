import { PTS_HZ } from '../../../media/ts/ts-constants.ts';

const TICKS_PER_MS = PTS_HZ / 1000;
/**
 * Timed frames whose decode times are closer than this (1 ms: no camera sends 1,000 frames a
 * second) were re-stamped, not captured: when a source's clock steps back (a camera's clock
 * step, ffmpeg's RTSP demuxer re-basing on its first RTCP sender report, an RTSP server
 * restarting a shared stream for a new client), the ffmpeg CLI stamps the stepped-back
 * packets at the last time + 1 tick, + 2, ... Their real times are unknown.
 */
export const RESTAMPED_MAX_STEP_TICKS = 90;

export interface TimedFrameTime {
  /** 90 kHz ticks, unwrapped; pts >= dts. */
  pts: number;
  dts: number;
  /** Time went back or jumped (a new connection, a clock step): the open segment must end before this frame. */
  jump: boolean;
  /** The decode time went back (not a one-tick stumble): audio follows the source's clock from here. */
  back?: boolean;
  /** Re-stamped (see RESTAMPED_MAX_STEP_TICKS): `first` of a run, or `more`; the frame must be dropped. */
  restamped?: 'first' | 'more';
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
  private inRestampedRun = false;
  /** The caller closed the segment (a source reconnecting): its next clock may start 1 tick after the last time. */
  private closed = false;

  constructor(private readonly maxGapMs: number) {}

  /** A source reconnects: its next frame may follow the last one by a tick without having been re-stamped. */
  markClosed(): void {
    this.closed = true;
  }

  /** `frameTicks` is one frame's duration as known now (for the stumble rule). */
  next(ptsMs: number, dtsMs: number, frameTicks: number): TimedFrameTime {
    let dts = Math.round(dtsMs * TICKS_PER_MS);
    let pts = Math.round(ptsMs * TICKS_PER_MS);
    const last = this.lastDts;
    const afterClose = this.closed;
    this.closed = false;
    if (last !== undefined && !afterClose && dts > last && dts - last < RESTAMPED_MAX_STEP_TICKS) {
      const restamped = this.inRestampedRun ? 'more' : 'first';
      this.inRestampedRun = true;
      this.lastDts = dts;
      return { pts, dts, jump: false, restamped };
    }
    this.inRestampedRun = false;
    let jump = false;
    let back = false;
    if (last !== undefined && (dts <= last || dts - last > this.maxGapMs * TICKS_PER_MS)) {
      if (dts <= last && last - dts < frameTicks) {
        const shift = last + 1 - dts;
        dts += shift;
        pts += shift;
      } else {
        jump = true;
        back = dts <= last;
      }
    }
    if (pts < dts) pts = dts;
    this.lastDts = dts;
    return back ? { pts, dts, jump, back } : { pts, dts, jump };
  }

  /** Decode time of the last frame, when one came. */
  get last(): number | undefined {
    return this.lastDts;
  }
}
