import { UnsupportedStreamError } from '../../media/media-error.ts';
import { PTS_HZ } from '../../media/ts/ts-constants.ts';
import type { AudioStage } from './audio/audio-stage.ts';
import type { AvInterleaver } from './audio/av-interleaver.ts';
import type { PictureClock } from './clock/picture-clock.ts';
import type { SegmenterStats } from './media-segment.ts';
import type { SegmentCutter } from './segment/segment-cutter.ts';
import type { SegmentWriter, TimedPicture } from './segment/segment-writer.ts';
import type { SegmenterLimits } from './segmenter-limits.ts';
import { PocReorder } from './video/poc-reorder.ts';
import { UntimedBFrameScreen, untimedBFramesError } from './video/untimed-bframe-screen.ts';
import type { VideoStage } from './video/video-stage.ts';
import type { VideoUnit } from './video/video-unit.ts';

const TICKS_PER_MS = PTS_HZ / 1000;

/** A picture on its way to the segment: its times, and whether the stream's configuration changed at it. */
export interface Placed extends TimedPicture {
  readonly changed: boolean;
  readonly bytes: number;
  readonly offset: number;
}

/** The stages a picture passes on its way (built by the segmenter). */
export interface PictureStages {
  readonly limits: SegmenterLimits;
  readonly clock: PictureClock;
  readonly video: VideoStage;
  readonly audio: AudioStage;
  readonly cutter: SegmentCutter;
  readonly interleaver: AvInterleaver<Placed>;
  readonly writer: SegmentWriter;
  /** The segmenter's counters (this router counts dropped frames and bytes in them). */
  readonly st: SegmenterStats;
}

/** What the router asks of the segmenter. */
export interface PictureRouterHooks {
  /** Close the open segment after its last frame (held frames first; `withReordered` false: what waits in the reorder stage comes after). */
  cut(withReordered?: boolean): void;
  /** A cut for a new stream configuration (the GOP history starts again). */
  cutForChange(): void;
  /** Frames waiting for audio (and for their presentation time, `withReordered`) go into the segment. */
  release(withReordered: boolean): void;
  report(message: string, offset: number, droppedBytes?: number): void;
}

/**
 * The path of each access unit from the video stage to the interleaver: a refused stream
 * (untimed B-frames, a codec the container cannot carry) and corrupt units are dropped and
 * counted; a unit is timed by the picture clock (source times, or arrival / frame rate),
 * re-stamped runs are dropped, raw H.265 gets its presentation times from the POC reorder
 * stage, raw H.264 B-frames are screened; then the picture goes on through the
 * interleaver (a configuration change cuts first). Errors raised while the splitter hands
 * over NAL units are kept and thrown once the chunk is split (`throwDeferred`).
 */
export class PictureRouter {
  /** Times the caller gave with putVideoFrame, for the access unit(s) of that call. */
  given: { ptsMs?: number; dtsMs?: number } | undefined;
  private readonly reorder = new PocReorder<Placed>((p, pts, dts) => this.timed({ ...p, pts, dts }));
  private readonly bScreen: UntimedBFrameScreen;
  /** Decode time of the last timed picture (for the re-stamped report). */
  private lastTimedDts: number | undefined;
  /** Refused (untimed B-frames, or a codec the container cannot carry): everything is dropped until the stream changes. */
  private refused: 'b-frames' | 'codec' | undefined;
  /** An error raised while the splitter was handing over NAL units: thrown once the chunk is split (never mid-NAL). */
  private deferred?: unknown;
  private readonly limits: SegmenterLimits;
  private readonly clock: PictureClock;
  private readonly video: VideoStage;
  private readonly audio: AudioStage;
  private readonly cutter: SegmentCutter;
  private readonly interleaver: AvInterleaver<Placed>;
  private readonly writer: SegmentWriter;
  private readonly st: SegmenterStats;

  constructor(
    stages: PictureStages,
    private readonly h: PictureRouterHooks,
  ) {
    this.limits = stages.limits;
    this.clock = stages.clock;
    this.video = stages.video;
    this.audio = stages.audio;
    this.cutter = stages.cutter;
    this.interleaver = stages.interleaver;
    this.writer = stages.writer;
    this.st = stages.st;
    this.bScreen = new UntimedBFrameScreen({
      drop: (u) => this.drop(u, true),
      skipSlot: () => this.skipSlot(),
      corrupt: (u, why) => this.onCorrupt(u, why),
      refuse: (u) => this.refuseBFrames(u),
    });
  }

  /** The codec cannot go in the container: the stream is dropped until it changes, and `err` thrown once the chunk is split. */
  refuseCodec(err: unknown): void {
    this.refused = 'codec';
    this.deferred ??= err;
  }

  /** A new codec was told: a refusal of the old one no longer holds. */
  clearCodecRefusal(): void {
    if (this.refused === 'codec') this.refused = undefined;
  }

  /** The B-frame screen decides on the frames it holds (at a cut). */
  settle(): void {
    this.bScreen.settle();
  }

  /** Pictures waiting for their presentation time go on (at a cut). */
  flushReordered(): void {
    this.reorder.flush(this.clock.frameTicks);
  }

  /** Stream offset of the oldest picture waiting in the reorder stage, or `from` when that is older. */
  heldFrom(from: number): number {
    for (const p of this.reorder.items()) if (p.offset < from) from = p.offset;
    return from;
  }

  /** Called from inside the splitter: nothing may be thrown through it (see `deferred`). */
  onUnitSafely(u: VideoUnit): void {
    if (this.deferred instanceof UnsupportedStreamError) {
      this.drop(u);
      return;
    }
    try {
      this.onUnit(u);
    } catch (err) {
      this.deferred ??= err;
      if (err instanceof UnsupportedStreamError) {
        // Keep what was recorded up to here; the next segment starts at a key frame.
        this.drop(u);
        this.h.cut();
      }
    }
  }

  throwDeferred(): void {
    const err = this.deferred;
    if (err === undefined) return;
    this.deferred = undefined;
    throw err as Error; // rethrown as caught (an Error from our own stages)
  }

  /** A frame thrown away (counted); `keepSlot` keeps its place in frame-rate time. */
  drop(u: VideoUnit, keepSlot = false): void {
    this.st.droppedFrames++;
    this.st.droppedBytes += u.nalBytes;
    if (keepSlot) this.skipSlot();
  }

  private onUnit(u: VideoUnit): void {
    if (this.refused === 'codec') {
      if (u.hasVcl) this.drop(u);
      return;
    }
    if (u.corrupt) return this.onCorrupt(u, u.corrupt);
    if (u.encoderChanged) {
      // A new encoder configuration: a B-frame refusal or GOP warning is for the old one.
      if (this.refused === 'b-frames') this.refused = undefined;
      this.cutter.warnedGop = false;
      this.bScreen.settle();
    }
    // fMP4 keeps parameter sets in its init section: any change of them starts a new one.
    const changed = u.encoderChanged || (u.setsChanged && this.writer.container.kind === 'fmp4');
    if (!u.hasVcl) {
      if (changed) this.h.cutForChange();
      return;
    }
    if (this.refused) return this.drop(u);
    if (u.order?.undecodable) return this.drop(u, true);
    const given = this.given;
    const timed = given?.ptsMs !== undefined && given.dtsMs !== undefined;
    if (!timed && this.video.codec === 'h264' && this.bScreen.screen(u)) return;
    const config = this.video.config();
    const t = timed
      ? this.clock.timed(given.ptsMs!, given.dtsMs!, config?.fps, this.writer.seg !== undefined)
      : this.clock.untimed(given?.ptsMs ?? u.arrivalMs, given?.ptsMs !== undefined, config?.fps, config !== undefined);
    if (t.restamped) {
      this.drop(u);
      if (t.restamped === 'first') {
        // Frames from before the step (some may wait for audio) go first; video resumes at the next key frame.
        this.h.cutForChange();
        this.h.report(
          `video frames ${((t.dts - (this.lastTimedDts ?? t.dts)) / TICKS_PER_MS).toFixed(3)} ms apart: the source's clock stepped back and its frames were re-stamped (ffmpeg does that); dropping them, video resumes at the next key frame`,
          u.offset,
        );
      }
      this.lastTimedDts = t.dts;
      return;
    }
    if (timed) this.lastTimedDts = t.dts;
    // The source's clock went back (a camera's clock step): audio follows it from here.
    if (t.back) this.audio.queue.restartTimeline();
    if (t.jump && this.writer.seg) this.h.cutForChange();
    const p: Placed = { u, changed, bytes: u.nalBytes, offset: u.offset, pts: t.pts, dts: t.dts };
    if (timed || !u.order) return this.timed(p);
    // Raw H.265: presentation times from the picture order count (B-frames welcome).
    this.reorder.push(p, p.dts, u.order.poc, u.order.startsSequence, config?.maxReorder ?? 0, this.clock.frameTicks);
  }

  /** A picture with its final times: cut for a new configuration, then on through the interleaver. */
  private timed(p: Placed): void {
    if (p.changed) {
      // Everything before it in decode order has left the reorder stage; what waits there comes after it.
      this.h.cut(false);
      this.cutter.resetGop();
    }
    this.interleaver.offer(p, this.limits.timing.kind !== 'frame-rate' || this.given !== undefined);
  }

  private onCorrupt(u: VideoUnit, why: string): void {
    this.h.report(why, u.offset, u.nalBytes);
    this.st.droppedBytes += u.nalBytes;
    if (u.hasVcl) {
      this.st.droppedFrames++;
      this.skipSlot();
    }
    this.cutter.resyncing = true;
    this.h.cut();
  }

  private refuseBFrames(u: VideoUnit): never {
    this.refused = 'b-frames';
    this.drop(u);
    // Nothing of such a stream is uploaded: the open segment goes too (its frames count as dropped).
    this.h.release(true);
    const frames = this.writer.discard();
    this.st.droppedFrames += frames;
    this.st.frames -= frames;
    this.cutter.discarded();
    throw untimedBFramesError();
  }

  private skipSlot(): void {
    if (!this.given) this.clock.skip();
  }
}
