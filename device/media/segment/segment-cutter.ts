import type { AdtsHeader } from '../../../media/aac/adts-header.ts';
import { PTS_HZ } from '../../../media/ts/ts-constants.ts';
import type { SegmenterLimits } from '../segmenter-limits.ts';
import type { VideoCodec, VideoConfig, VideoUnit } from '../video/video-unit.ts';
import { cutAtIdr, cutRuleFor, GopTracker, gopTooLongWarning, type CutRule } from './cut-policy.ts';
import type { SegmentWriter, TimedPicture } from './segment-writer.ts';

/** What the cutter asks of the segmenter. */
export interface SegmentCutterHooks {
  writer(): SegmentWriter;
  config(): VideoConfig | undefined;
  codec(): VideoCodec | undefined;
  /** The AAC configuration to open a segment with, when audio is on and has come. */
  audio(): AdtsHeader | undefined;
  /** Audio is on and its first frame may still come (a segment opened without it waits for it). */
  audioMayJoin(): boolean;
  frameTicks(): number;
  /** Frames dropped so far (a stream that starts mid-GOP is reported only when nothing was dropped yet). */
  droppedFrames(): number;
  report(message: string, offset: number): void;
  drop(u: VideoUnit): void;
  /** Cut with everything held released first (the segmenter's own cut). */
  cut(): void;
  warn?(message: string): void;
}

/**
 * Applies the cut policy to pictures in decode order, with their final times: a segment
 * opens at a key frame with parameter sets (a stream that starts mid-GOP, or is resyncing
 * after corrupt input, drops to the next one), closes at the key frame `cut-policy` picks,
 * and is cut anyway when no key frame comes within `maxSegmentBytes` / `maxSegmentSeconds`
 * (memory stays bounded). Warns once per encoder configuration when the camera's GOP is
 * longer than the segment length.
 */
export class SegmentCutter {
  readonly rule: CutRule;
  private readonly gop = new GopTracker();
  /** The next picture must be a key frame (start, after a cut). */
  private needKey = true;
  /** The next segment is a discontinuity. */
  private nextDiscontinuity = true;
  private everOpened = false;
  /** Corrupt input was seen: dropping to the next key frame. */
  resyncing = false;
  /** Warned that the GOP is longer than the target (reset at an encoder change). */
  warnedGop = false;

  constructor(
    private readonly limits: SegmenterLimits,
    private readonly h: SegmentCutterHooks,
  ) {
    this.rule = cutRuleFor(limits.targetSeconds);
  }

  /** Decides whether a picture opens a segment, closes one, is dropped, or is written. */
  place(p: TimedPicture): void {
    const u = p.u;
    const w = this.h.writer();
    if (this.needKey || this.resyncing) {
      if (!u.isKey) {
        if (!this.everOpened && !this.resyncing && this.h.droppedFrames() === 0) {
          this.h.report(
            `the video starts mid-GOP (no ${this.h.codec() === 'h265' ? 'IRAP picture' : 'IDR'} yet): dropping frames until the first key frame`,
            u.offset,
          );
        }
        return this.h.drop(u);
      }
    } else if (u.isKey && w.seg) {
      if (this.gop.idr(p.pts) !== undefined) this.checkGop();
      if (cutAtIdr(this.rule, { elapsedTicks: p.pts - w.seg.startPts, frameTicks: this.h.frameTicks(), gopTicks: this.gop.gopTicks })) w.finish(p.pts, p.dts);
    } else if (w.seg) {
      const overBytes = w.container.bytes + w.container.bytesFor(u) > this.limits.maxSegmentBytes;
      if (overBytes || p.pts - w.seg.startPts > this.limits.maxSegmentTicks) {
        // No key frame to close at (an encoder that stopped sending them): cut, so memory stays bounded.
        this.h.report(
          `no key frame to close the segment at within ${overBytes ? `${this.limits.maxSegmentBytes} bytes` : `${this.limits.maxSegmentTicks / PTS_HZ} s`}: cut there; video resumes at the next key frame (configure the encoder's GOP/keyframe interval shorter)`,
          u.offset,
        );
        this.h.cut();
        this.resyncing = true;
        if (!u.isKey) return this.h.drop(u);
      }
    }
    if (!w.seg && !this.open(p, w)) return;
    w.write(p);
  }

  /** Closes the open segment after its last frame; the next one starts at a key frame, as a discontinuity. */
  close(): void {
    const w = this.h.writer();
    const seg = w.seg;
    const frame = Math.round(this.h.frameTicks());
    if (seg) w.finish(seg.maxPts + frame, seg.lastDts + frame);
    this.needKey = true;
    this.nextDiscontinuity = true;
  }

  /** A segment was thrown away: the next one starts at a key frame, as a discontinuity. */
  discarded(): void {
    this.needKey = true;
    this.nextDiscontinuity = true;
  }

  /** A discontinuity in time or configuration: the GOP is measured anew. */
  resetGop(): void {
    this.gop.reset();
  }

  private open(p: TimedPicture, w: SegmentWriter): boolean {
    const config = this.h.config();
    if (!config || p.u.missingParameterSets) {
      this.h.report(
        `key frame at byte ${p.u.offset} has no ${this.h.codec() === 'h265' ? 'VPS/SPS/PPS' : 'SPS/PPS'} before it: dropping until a key frame with parameter sets`,
        p.u.offset,
      );
      this.h.drop(p.u);
      return false;
    }
    if (this.nextDiscontinuity) this.gop.reset();
    this.gop.idr(p.pts);
    w.open(p, config, this.h.audio(), this.h.audioMayJoin(), this.nextDiscontinuity);
    this.needKey = false;
    this.resyncing = false;
    this.nextDiscontinuity = false;
    this.everOpened = true;
    return true;
  }

  /** Once per encoder configuration: the camera's GOP is longer than the target, so segments cannot keep to it. */
  private checkGop(): void {
    const frameTicks = this.h.frameTicks();
    if (this.warnedGop || !this.gop.tooLong(this.rule, frameTicks)) return;
    this.warnedGop = true;
    this.h.warn?.(gopTooLongWarning(this.rule, this.gop.gopTicks!, frameTicks, this.h.config()?.fps ?? PTS_HZ / frameTicks));
  }
}
