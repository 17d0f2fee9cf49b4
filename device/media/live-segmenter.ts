import { AnnexBSplitter, type OversizeNalEvent } from '../../media/bitstream/annexb-splitter.ts';
import { MediaInputError, UnsupportedStreamError } from '../../media/media-error.ts';
import { PTS_HZ } from '../../media/ts/ts-constants.ts';
import { AudioStage } from './audio/audio-stage.ts';
import { AvInterleaver } from './audio/av-interleaver.ts';
import { PictureClock } from './clock/picture-clock.ts';
import { defaultContainerFor, refuseCodecIn } from './container/create-container.ts';
import type { OpenSegmentInfo, SegmenterStats } from './media-segment.ts';
import { SegmentCutter } from './segment/segment-cutter.ts';
import { SegmentWriter, type TimedPicture } from './segment/segment-writer.ts';
import { segmenterLimits, type SegmenterLimits } from './segmenter-limits.ts';
import type { SegmenterOptions } from './segmenter-options.ts';
import { PocReorder } from './video/poc-reorder.ts';
import { UntimedBFrameScreen, untimedBFramesError } from './video/untimed-bframe-screen.ts';
import { VideoStage } from './video/video-stage.ts';
import type { VideoCodec, VideoUnit } from './video/video-unit.ts';
export { segmentBuffer } from '../../media/ts/ts-muxer.ts';
export type { OpenSegmentInfo } from './media-segment.ts';
export type { SegmenterOptions, VideoTiming } from './segmenter-options.ts';

const TICKS_PER_MS = PTS_HZ / 1000;

/** A picture on its way to the segment: its times, and whether the stream's configuration changed at it. */
interface Placed extends TimedPicture {
  readonly changed: boolean;
  readonly bytes: number;
  readonly offset: number;
}

/**
 * Annex-B video (H.264 or H.265) + AAC ADTS in, segments out (MPEG-TS or fMP4): the
 * orchestrator of the media pipeline's stages, used by the agent (live) and by
 * `camrec segment` (files). The stages, each in its own folder:
 *
 *   bytes -> AnnexBSplitter -> video/VideoStage (codec parser: access units, parameter sets,
 *   codec string) -> clock/ (source times, or arrival / frame rate; video/PocReorder gives
 *   raw H.265 its presentation times; video/UntimedBFrameScreen refuses raw H.264 B-frames)
 *   -> audio/AvInterleaver (files and live: video waits for its audio) -> segment/cut-policy
 *   (where a segment ends) -> segment/SegmentWriter + audio/AudioQueue -> container/ (TS or
 *   fMP4) -> MediaSegment (the receiver encrypts: encryption comes last).
 *
 * A segment starts at a key frame (H.264 IDR, H.265 IRAP) in decode order and ends where
 * the cut policy says; corrupt input is reported, counted and skipped to the next key
 * frame. Memory: the open segment (TS bytes, or for fMP4 views of the input), the frame
 * being assembled, frames waiting for audio or their presentation time, and at most 512
 * queued live audio frames. Do not reuse a pushed chunk's memory before `videoHeldFrom()`
 * has passed it. README.md beside this file has the details.
 */
export class LiveSegmenter {
  private readonly limits: SegmenterLimits;
  private readonly splitter: AnnexBSplitter;
  private readonly video: VideoStage;
  private readonly audio: AudioStage;
  private readonly clock: PictureClock;
  private readonly cutter: SegmentCutter;
  private readonly reorder = new PocReorder<Placed>((p, pts, dts) => this.timed({ ...p, pts, dts }));
  private readonly bScreen: UntimedBFrameScreen;
  private readonly interleaver: AvInterleaver<Placed>;
  private readonly writer: SegmentWriter;
  private reportedLeadingGarbage = false;
  /** Decode time of the last timed picture (for the re-stamped report). */
  private lastTimedDts: number | undefined;
  /** Times the caller gave with putVideoFrame, for the access unit(s) of that call. */
  private given: { ptsMs?: number; dtsMs?: number } | undefined;
  /** Refused (untimed B-frames, or a codec the container cannot carry): everything is dropped until the stream changes. */
  private refused: 'b-frames' | 'codec' | undefined;
  /** An error raised while the splitter was handing over NAL units: thrown once the chunk is split (never mid-NAL). */
  private deferred?: unknown;
  private readonly st: SegmenterStats = { frames: 0, audioFrames: 0, segments: 0, bytes: 0, inputErrors: 0, droppedBytes: 0, droppedFrames: 0 };

  constructor(readonly options: SegmenterOptions) {
    this.limits = segmenterLimits(options);
    if (options.videoCodec) refuseCodecIn(options.container, options.videoCodec, (m) => new RangeError(m));
    this.clock = new PictureClock(this.limits.timing, this.limits.maxFrameGapMs);
    this.cutter = new SegmentCutter(this.limits, {
      writer: () => this.writer,
      config: () => this.video.config(),
      codec: () => this.video.codec,
      audio: () => (this.audio.enabled ? this.audio.header : undefined),
      audioOn: () => this.audio.enabled,
      frameTicks: () => this.clock.frameTicks,
      droppedFrames: () => this.st.droppedFrames,
      report: (m, offset) => this.report(m, offset),
      drop: (u) => this.drop(u),
      cut: () => this.cut(),
      warn: options.onStreamWarning,
    });
    this.interleaver = new AvInterleaver<Placed>((p) => this.cutter.place(p), this.limits.maxSegmentBytes, options.audio ?? false);
    this.audio = new AudioStage({
      on: options.audio ?? false,
      files: this.limits.timing.kind === 'frame-rate',
      interleaver: this.interleaver,
      writer: () => this.writer,
      onDropped: (bytes) => (this.st.droppedBytes += bytes),
      onProblem: (m, offset, dropped) => this.report(m, offset, dropped),
    });
    this.bScreen = new UntimedBFrameScreen({
      drop: (u) => this.drop(u, true),
      skipSlot: () => this.skipSlot(),
      corrupt: (u, why) => this.onCorrupt(u, why),
      refuse: (u) => this.refuseBFrames(u),
    });
    this.video = new VideoStage({
      codec: options.videoCodec,
      maxFrameBytes: this.limits.maxFrameBytes,
      onUnit: (u) => this.onUnitSafely(u),
      onCodec: (c, prev) => this.onCodec(c, prev),
    });
    this.writer = new SegmentWriter(
      options.container ?? defaultContainerFor(options.videoCodec ?? 'h264'),
      this.audio.queue,
      this.st,
      (t) => this.clock.toMs(t),
      options.onSegment,
    );
    this.splitter = this.newSplitter();
  }

  /** Bytes of an Annex-B stream (any chunking; start codes may straddle chunks); frames are timed by arrival (or frame rate). */
  pushVideo(annexBChunk: Uint8Array, arrivalMs: number = Date.now()): void {
    this.splitter.push(annexBChunk, arrivalMs);
    this.checkLeadingGarbage();
    this.throwDeferred();
  }

  /**
   * Exactly one access unit in Annex-B (start codes included). With `ptsMs` and `dtsMs`
   * (UTC ms, fractions allowed: the source's own clock) the frame keeps both and may be a
   * B-frame; with `ptsMs` alone it is a capture time (H.264: no reordering; H.265: the
   * decode slot, presentation order from the picture order count); with neither it takes
   * the time it arrives.
   */
  putVideoFrame(accessUnitAnnexB: Uint8Array, ptsMs?: number, dtsMs?: number): void {
    const splitter = this.newSplitter();
    this.given = ptsMs === undefined ? undefined : { ptsMs, dtsMs };
    try {
      splitter.push(accessUnitAnnexB, ptsMs ?? Date.now());
      splitter.flush();
      this.video.end();
    } finally {
      this.given = undefined;
    }
    if (splitter.leadingGarbageBytes)
      this.report(`frame has ${splitter.leadingGarbageBytes} bytes before its first start code (expected Annex-B)`, 0, splitter.leadingGarbageBytes);
    this.throwDeferred();
  }

  /** Bytes of an ADTS stream (any chunking). Ignored while audio is off. */
  pushAudio(adtsChunk: Uint8Array, arrivalMs: number = Date.now()): void {
    this.audio.push(adtsChunk, arrivalMs);
  }
  /** Exactly one ADTS frame (header included), with its presentation time (UTC ms). Ignored while audio is off. */
  putAudioFrame(adtsFrame: Uint8Array, ptsMs?: number): void {
    this.audio.put(adtsFrame, ptsMs);
  }
  /** Audio on/off at run time; takes effect at the next segment. */
  setAudioEnabled(on: boolean): void {
    this.audio.setEnabled(on);
  }
  /** Live: audio is on its way but has not started (a transcoder starting up): video waits for its first frame up to 2 s. */
  expectAudio(): void {
    this.interleaver.expect();
  }
  /** Files under 'frame-rate' timing with audio: true while video frames wait for audio to catch up. */
  wantsAudio(): boolean {
    return this.interleaver.waiting;
  }
  /** The video codec, once told from the stream (or as configured). */
  get videoCodec(): VideoCodec | undefined {
    return this.video.codec;
  }

  /** Files: no more audio will come, so video stops waiting for it. */
  endAudio(): void {
    this.audio.end();
    this.interleaver.end();
  }

  /**
   * Cut now after the last complete frame (emits it if it has any frame); the next segment
   * starts at a key frame and is a discontinuity. The codec is told again from the next
   * units when it was not fixed (a source that reconnects may bring another one). The
   * NAL unit the splitter holds (pushVideo bytes not yet ended by a start code) belongs
   * to what came before the cut, so it is finished first: after a reconnect the old
   * stream's last unit cannot be taken for the new stream's first (nor tell its codec).
   */
  closeSegment(): void {
    this.clock.markClosed();
    this.splitter.flush();
    this.checkLeadingGarbage();
    this.bScreen.settle();
    this.cut();
    this.video.resniff();
  }

  /** End of input: flush the frame being assembled, then closeSegment(). */
  end(): void {
    this.splitter.flush();
    this.video.end();
    this.checkLeadingGarbage();
    // Audio past the last video frame is not needed; a partial frame there is no error.
    this.interleaver.end();
    this.closeSegment();
    this.throwDeferred();
  }

  /** The open segment, or undefined when none is open (before the first key frame, or right after a cut). */
  openSegment(): OpenSegmentInfo | undefined {
    const s = this.writer.seg;
    if (!s) return undefined;
    return {
      startMs: this.clock.toMs(s.startPts),
      durationMs: (s.maxPts + this.clock.frameTicks - s.startPts) / TICKS_PER_MS,
      bytes: this.writer.container.bytes,
      videoFrames: s.frames,
    };
  }

  /**
   * Stream offset (counting the bytes given to pushVideo) of the oldest pushed byte the
   * segmenter may still reference: the frame being assembled, frames waiting for audio or
   * for their presentation time, and (fMP4) the open segment's pictures. Memory of chunks
   * that lie wholly before it can be reused by the caller.
   */
  videoHeldFrom(): number {
    let from = Math.min(this.splitter.heldFrom, this.video.heldFrom ?? Infinity, this.interleaver.heldFrom, this.writer.container.heldFrom);
    for (const p of this.reorder.items()) if (p.offset < from) from = p.offset;
    return from;
  }

  /**
   * Optional: gives a finished segment's bytes back once the receiver is done with them
   * (encrypted, written, uploaded), so later segments reuse that memory instead of
   * allocating (and page-faulting) a fresh buffer each time. At most 2 are kept. Do not
   * touch `bytes` afterwards. Views this segmenter did not hand out are ignored.
   */
  recycle(bytes: Uint8Array): void {
    this.writer.container.recycle(bytes);
  }

  stats(): SegmenterStats {
    return { ...this.st, droppedBytes: this.st.droppedBytes + this.splitter.leadingGarbageBytes + this.splitter.droppedBytes + this.audio.droppedBytes };
  }

  private newSplitter(): AnnexBSplitter {
    return new AnnexBSplitter(
      (e) => this.video.push(e),
      this.limits.maxFrameBytes,
      (e) => this.onOversizeNal(e),
    );
  }

  /** A NAL unit passed maxFrameBytes (its bytes are dropped as they come): the frame it belongs to is corrupt. */
  private onOversizeNal(e: OversizeNalEvent): void {
    // Which frame the NAL belonged to is unknown: the one being assembled is let go too.
    this.video.markCorrupt(
      e.offset,
      0,
      `NAL unit at byte ${e.offset} is over ${this.limits.maxFrameBytes} bytes with no start code (a bad encoder pipe, or raise maxFrameBytes): dropping it`,
    );
    this.video.flush();
  }

  /** The codec was told: its container (unless configured), a cut when it changed, a refusal when the container cannot carry it. */
  private onCodec(codec: VideoCodec, previous: VideoCodec | undefined): void {
    if (previous !== undefined) this.cutForChange();
    if (this.refused === 'codec') this.refused = undefined;
    try {
      refuseCodecIn(this.options.container, codec, (m) => new UnsupportedStreamError(m));
    } catch (err) {
      // Called from inside the splitter: thrown once the chunk is split.
      this.refused = 'codec';
      this.deferred ??= err;
      return;
    }
    this.writer.use(this.options.container ?? defaultContainerFor(codec));
  }

  // ---- video -------------------------------------------------------------------------

  /** Called from inside the splitter: nothing may be thrown through it (see `deferred`). */
  private onUnitSafely(u: VideoUnit): void {
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
        this.cut();
      }
    }
  }

  private throwDeferred(): void {
    const err = this.deferred;
    if (err === undefined) return;
    this.deferred = undefined;
    throw err as Error; // rethrown as caught (an Error from our own stages)
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
      if (changed) this.cutForChange();
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
        this.cutForChange();
        this.report(
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
    if (t.jump && this.writer.seg) this.cutForChange();
    const p: Placed = { u, changed, bytes: u.nalBytes, offset: u.offset, pts: t.pts, dts: t.dts };
    if (timed || !u.order) return this.timed(p);
    // Raw H.265: presentation times from the picture order count (B-frames welcome).
    this.reorder.push(p, p.dts, u.order.poc, u.order.startsSequence, config?.maxReorder ?? 0, this.clock.frameTicks);
  }

  /** A picture with its final times: cut for a new configuration, then on through the interleaver. */
  private timed(p: Placed): void {
    if (p.changed) {
      // Everything before it in decode order has left the reorder stage; what waits there comes after it.
      this.cut(false);
      this.cutter.resetGop();
    }
    this.interleaver.offer(p, this.limits.timing.kind !== 'frame-rate' || this.given !== undefined);
  }

  private onCorrupt(u: VideoUnit, why: string): void {
    this.report(why, u.offset, u.nalBytes);
    this.st.droppedBytes += u.nalBytes;
    if (u.hasVcl) {
      this.st.droppedFrames++;
      this.skipSlot();
    }
    this.cutter.resyncing = true;
    this.cut();
  }

  private refuseBFrames(u: VideoUnit): never {
    this.refused = 'b-frames';
    this.drop(u);
    // Nothing of such a stream is uploaded: the open segment goes too (its frames count as dropped).
    this.release(true);
    const frames = this.writer.discard();
    this.st.droppedFrames += frames;
    this.st.frames -= frames;
    this.cutter.discarded();
    throw untimedBFramesError();
  }

  /** A frame thrown away (counted); `keepSlot` keeps its place in frame-rate time. */
  private drop(u: VideoUnit, keepSlot = false): void {
    this.st.droppedFrames++;
    this.st.droppedBytes += u.nalBytes;
    if (keepSlot) this.skipSlot();
  }

  private skipSlot(): void {
    if (!this.given) this.clock.skip();
  }

  private cutForChange(): void {
    this.cut();
    this.cutter.resetGop();
  }

  /** Frames waiting for audio (and for their presentation time, `withReordered`) go into the segment. */
  private release(withReordered: boolean): void {
    if (withReordered) this.reorder.flush(this.clock.frameTicks);
    this.interleaver.release(true);
  }

  /**
   * Close the open segment after its last frame (held frames first); the next one starts
   * at a key frame, as a discontinuity. `withReordered` false: a picture that left the
   * reorder stage cuts, and what still waits there comes after it.
   */
  private cut(withReordered = true): void {
    this.release(withReordered);
    this.cutter.close();
    this.video.restart();
  }

  private report(message: string, offset: number, droppedBytes = 0): void {
    this.st.inputErrors++;
    this.options.onInputError?.(new MediaInputError(message, { offset, droppedBytes }));
  }

  private checkLeadingGarbage(): void {
    if (!this.reportedLeadingGarbage && this.splitter.leadingGarbageBytes > 0) {
      this.reportedLeadingGarbage = true;
      this.report(`${this.splitter.leadingGarbageBytes} bytes of garbage before the first start code were dropped`, 0, this.splitter.leadingGarbageBytes);
    }
  }
}
