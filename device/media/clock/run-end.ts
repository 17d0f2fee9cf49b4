import { PTS_HZ } from '../../../media/ts/ts-constants.ts';
import { RESTAMPED_MAX_STEP_TICKS } from './timed-video-clock.ts';

/** A video frame's duration while a run has shown fewer than two frames a frame apart: 100 ms (10 fps). */
export const DEFAULT_VIDEO_FRAME_TICKS = PTS_HZ / 10;
/** Steps between frames longer than this (1 s) are gaps, not the frame rate. */
const MAX_VIDEO_FRAME_TICKS = PTS_HZ;

/**
 * Where one run of a source's times ends (90 kHz): its last video frame plus one frame
 * interval, and its last audio frame plus that frame's duration, whichever is later. A
 * source that starts its times afresh (an RTSP reconnect: each ffmpeg child starts at
 * zero) puts its next run there at the earliest (`ConnectionClock`'s `floorTicks`).
 *
 * Not the last time + 1 tick: players keep their own time base, and ffmpeg's muxers work
 * in the stream's frame rate (1/25 s at 25 fps), where a frame less than a frame after the
 * one before can take the same time ("non monotonically increasing dts to muxer ... 620 >=
 * 620"). A frame one whole interval on can never round onto the one before.
 *
 * The interval is the mean step between decode times of the run (steps under 1 ms are
 * re-stamped frames, over 1 s are gaps: neither counts), or DEFAULT_VIDEO_FRAME_TICKS.
 */
export class RunEnd {
  private lastDts: number | undefined;
  private stepSum = 0;
  private steps = 0;
  private lastVideo: number | undefined;
  private audioEnd: number | undefined;

  /** A video frame as handed on (wall-clock ticks). */
  video(ptsTicks: number, dtsTicks: number): void {
    const step = this.lastDts === undefined ? 0 : dtsTicks - this.lastDts;
    if (step >= RESTAMPED_MAX_STEP_TICKS && step <= MAX_VIDEO_FRAME_TICKS) {
      this.stepSum += step;
      this.steps++;
    }
    this.lastDts = dtsTicks;
    const t = Math.max(ptsTicks, dtsTicks);
    if (this.lastVideo === undefined || t > this.lastVideo) this.lastVideo = t;
  }

  /** An audio frame as handed on: its presentation time and duration (ticks). */
  audio(ptsTicks: number, durationTicks: number): void {
    const end = ptsTicks + durationTicks;
    if (this.audioEnd === undefined || end > this.audioEnd) this.audioEnd = end;
  }

  /** One video frame's duration as this run showed it. */
  get videoFrameTicks(): number {
    return this.steps ? Math.round(this.stepSum / this.steps) : DEFAULT_VIDEO_FRAME_TICKS;
  }

  /** The earliest time the next run may start at; undefined when nothing was handed on. */
  get ticks(): number | undefined {
    const video = this.lastVideo === undefined ? undefined : this.lastVideo + this.videoFrameTicks;
    if (video === undefined) return this.audioEnd;
    return this.audioEnd === undefined ? video : Math.max(video, this.audioEnd);
  }
}
