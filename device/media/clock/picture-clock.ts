import { PTS_HZ } from '../../../media/ts/ts-constants.ts';
import type { VideoTiming } from '../segmenter-options.ts';
import { RawVideoClock } from './raw-video-clock.ts';
import { TimedVideoClock } from './timed-video-clock.ts';

export interface PictureTime {
  pts: number;
  dts: number;
  /** A gap or jump in time: the open segment ends before this picture (a discontinuity). */
  jump: boolean;
  /** Timed input: the source's decode time went back (audio follows it from here). */
  back?: boolean;
  /** Timed input: re-stamped by the source's demuxer (`first` of a run, or `more`): drop the picture. */
  restamped?: 'first' | 'more';
}

/**
 * The media clock of the video: pictures given with the source's PTS and DTS keep them
 * (`TimedVideoClock`), raw pictures are timed by arrival or frame rate (`RawVideoClock`).
 * Keeps one frame's duration (`frameTicks`, 90 kHz) up to date for the cut rule and the
 * end of the last picture.
 */
export class PictureClock {
  private readonly raw: RawVideoClock;
  private readonly source: TimedVideoClock;
  frameTicks: number;

  constructor(timing: VideoTiming, maxFrameGapMs: number) {
    this.raw = new RawVideoClock(timing, maxFrameGapMs);
    this.source = new TimedVideoClock(maxFrameGapMs);
    this.frameTicks = this.raw.frameTicks;
  }

  /** A picture with the source's times (UTC ms). `fps` from the SPS; `inSegment`: frame steps count only inside a segment. */
  timed(ptsMs: number, dtsMs: number, fps: number | undefined, inSegment: boolean): PictureTime {
    const last = this.source.last;
    const t = this.source.next(ptsMs, dtsMs, this.frameTicks);
    if (t.restamped) return t;
    if (!t.jump && last !== undefined && inSegment) this.frameTicks = fps ? PTS_HZ / fps : t.dts - last;
    return t;
  }

  /** A raw picture at `ms` (arrival, or a capture time when `explicit`); presentation = decode time. */
  untimed(ms: number, explicit: boolean, fps: number | undefined, hasParameterSets: boolean): PictureTime {
    const t = this.raw.next(ms, explicit, fps, hasParameterSets);
    this.frameTicks = this.raw.frameTicks;
    return { pts: t.ticks, dts: t.ticks, jump: t.gap };
  }

  /** The caller closed the segment (a source reconnecting): see TimedVideoClock.markClosed. */
  markClosed(): void {
    this.source.markClosed();
  }

  /** A raw picture that is dropped keeps its slot under frame-rate timing. */
  skip(): void {
    this.raw.skip();
  }

  /** UTC ms of a tick value. */
  toMs(ticks: number): number {
    return this.raw.toMs(ticks);
  }
}
