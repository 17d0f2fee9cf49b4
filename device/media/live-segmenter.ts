import { MediaInputError, UnsupportedStreamError } from '../../media/media-error.ts';
import { NAL_OVERHEAD_BYTES } from '../../media/h264/access-unit-assembler.ts';
import { START_CODE_4 } from '../../media/h264/nal-unit-type.ts';
import { PTS_HZ } from '../../media/ts/ts-constants.ts';
import { AudioStage } from './audio/audio-stage.ts';
import { joinNals } from './bytes.ts';
import { AvInterleaver } from './audio/av-interleaver.ts';
import { PictureClock } from './clock/picture-clock.ts';
import { defaultContainerFor, refuseCodecIn } from './container/create-container.ts';
import type { OpenSegmentInfo, SegmenterStats } from './media-segment.ts';
import { PictureRouter, type Placed } from './picture-router.ts';
import { SegmentCutter } from './segment/segment-cutter.ts';
import { SegmentWriter } from './segment/segment-writer.ts';
import { segmenterLimits, type SegmenterLimits } from './segmenter-limits.ts';
import type { SegmenterOptions } from './segmenter-options.ts';
import { AnnexBInput } from './video/annexb-input.ts';
import { VideoStage } from './video/video-stage.ts';
import type { AssembledUnit, VideoCodec } from './video/video-unit.ts';
export { segmentBuffer } from '../../media/ts/ts-muxer.ts';
export type { OpenSegmentInfo } from './media-segment.ts';
export type { SegmenterOptions, VideoTiming } from './segmenter-options.ts';

const TICKS_PER_MS = PTS_HZ / 1000;

/**
 * Annex-B video (H.264 or H.265) + AAC ADTS in, segments out (MPEG-TS or fMP4): the
 * orchestrator of the media pipeline's stages, used by the agent (live) and by
 * `camrec segment` (files). The stages, each in its own folder:
 *
 *   bytes -> video/AnnexBInput (AnnexBSplitter) -> video/VideoStage (codec parser: access units, parameter sets,
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
  /** Annex-B bytes in: the stream's splitter, whole frames, and their byte-level problems. */
  private readonly splitter: AnnexBInput;
  private readonly video: VideoStage;
  private readonly audio: AudioStage;
  private readonly clock: PictureClock;
  private readonly cutter: SegmentCutter;
  private readonly interleaver: AvInterleaver<Placed>;
  private readonly writer: SegmentWriter;
  /** Each access unit's way from the video stage to the interleaver (refusals, timing, reorder). */
  private readonly pictures: PictureRouter;
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
      audioMayJoin: () => this.audio.mayJoin,
      frameTicks: () => this.clock.frameTicks,
      droppedFrames: () => this.st.droppedFrames,
      report: (m, offset) => this.report(m, offset),
      drop: (u) => this.pictures.drop(u),
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
    this.video = new VideoStage({
      codec: options.videoCodec,
      maxFrameBytes: this.limits.maxFrameBytes,
      onUnit: (u) => this.pictures.onUnitSafely(u),
      onCodec: (c, prev) => this.onCodec(c, prev),
    });
    this.writer = new SegmentWriter(
      options.container ?? defaultContainerFor(options.videoCodec ?? 'h264'),
      this.audio.queue,
      this.st,
      (t) => this.clock.toMs(t),
      options.onSegment,
      Math.round(this.limits.targetSeconds * PTS_HZ),
      options.streamSegments,
    );
    const { limits, clock, video, audio, cutter, interleaver, writer, st } = this;
    this.pictures = new PictureRouter(
      { limits, clock, video, audio, cutter, interleaver, writer, st },
      {
        cut: (withReordered) => this.cut(withReordered),
        cutForChange: () => this.cutForChange(),
        release: (w) => this.release(w),
        report: (m, o, d) => this.report(m, o, d),
      },
    );
    this.splitter = new AnnexBInput(this.video, this.limits.maxFrameBytes, (m, o, d) => this.report(m, o, d));
  }

  /** Bytes of an Annex-B stream (any chunking; start codes may straddle chunks); frames are timed by arrival (or frame rate). */
  pushVideo(annexBChunk: Uint8Array, arrivalMs: number = Date.now()): void {
    this.splitter.push(annexBChunk, arrivalMs);
    this.splitter.checkLeadingGarbage();
    this.pictures.throwDeferred();
  }

  /**
   * Exactly one access unit in Annex-B (start codes included). With `ptsMs` and `dtsMs`
   * (UTC ms, fractions allowed: the source's own clock) the frame keeps both and may be a
   * B-frame; with `ptsMs` alone it is a capture time (H.264: no reordering; H.265: the
   * decode slot, presentation order from the picture order count); with neither it takes
   * the time it arrives.
   */
  putVideoFrame(accessUnitAnnexB: Uint8Array, ptsMs?: number, dtsMs?: number): void {
    this.pictures.given = ptsMs === undefined ? undefined : { ptsMs, dtsMs };
    let garbage: number;
    try {
      garbage = this.splitter.pushFrame(accessUnitAnnexB, ptsMs ?? Date.now());
    } finally {
      this.pictures.given = undefined;
    }
    if (garbage) this.report(`frame has ${garbage} bytes before its first start code (expected Annex-B)`, 0, garbage);
    this.pictures.throwDeferred();
  }

  /**
   * Exactly one access unit as its NAL units (without start codes), already split by the
   * caller (a source that parsed the stream itself): the same as putVideoFrame with those
   * units behind 4-byte start codes, without splitting the frame again. Error offsets count
   * from the frame's start as if so joined. A unit over maxFrameBytes goes through
   * putVideoFrame (the splitter drops and reports it).
   */
  putVideoNals(nals: readonly Uint8Array[], ptsMs?: number, dtsMs?: number): void {
    const max = this.limits.maxFrameBytes;
    // Indexed loops: an array iterator is an allocation per unit in V8's interpreter (the agent runs --lite-mode).
    for (let i = 0; i < nals.length; i++) if (nals[i]!.byteLength > max) return this.putVideoFrame(joinNals(nals), ptsMs, dtsMs);
    const arrivalMs = ptsMs ?? Date.now();
    this.pictures.given = ptsMs === undefined ? undefined : { ptsMs, dtsMs };
    try {
      let offset = 0;
      for (let i = 0; i < nals.length; i++) {
        const nal = nals[i]!;
        offset += START_CODE_4.byteLength;
        this.video.push({ nal, offset, arrivalMs });
        offset += nal.byteLength;
      }
      this.video.end();
    } finally {
      this.pictures.given = undefined;
    }
    this.pictures.throwDeferred();
  }

  /**
   * Exactly one access unit as a source's own assembler split it (a `VideoStage` in
   * assemble-only mode, the same rule as this segmenter's): read by this segmenter's parser
   * without assembling or parsing it again, otherwise the same as putVideoNals with its NAL
   * units (the unit's offset and arrival time are set as putVideoNals would: the unit is
   * this segmenter's from here). A unit this segmenter's assembler would have judged
   * otherwise (corrupt, over maxFrameBytes, another codec than a fixed one) goes through
   * putVideoNals.
   */
  putVideoAssembled(a: AssembledUnit, ptsMs?: number, dtsMs?: number): void {
    const au = a.au;
    if (au.corrupt || au.nalBytes + NAL_OVERHEAD_BYTES * au.nals.length > this.limits.maxFrameBytes) return this.putVideoNals(au.nals, ptsMs, dtsMs);
    au.offset = START_CODE_4.byteLength;
    au.arrivalMs = ptsMs ?? Date.now();
    this.pictures.given = ptsMs === undefined ? undefined : { ptsMs, dtsMs };
    let taken: boolean;
    try {
      taken = this.video.putAssembled(a);
    } finally {
      this.pictures.given = undefined;
    }
    if (!taken) return this.putVideoNals(au.nals, ptsMs, dtsMs);
    this.pictures.throwDeferred();
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
    this.splitter.checkLeadingGarbage();
    this.pictures.settle();
    this.cut();
    this.video.resniff();
  }

  /** End of input: flush the frame being assembled, then closeSegment(). */
  end(): void {
    this.splitter.flush();
    this.video.end();
    this.splitter.checkLeadingGarbage();
    // Audio past the last video frame is not needed; a partial frame there is no error.
    this.interleaver.end();
    this.closeSegment();
    this.pictures.throwDeferred();
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
    return this.pictures.heldFrom(Math.min(this.splitter.heldFrom, this.video.heldFrom ?? Infinity, this.interleaver.heldFrom, this.writer.container.heldFrom));
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
    return { ...this.st, droppedBytes: this.st.droppedBytes + this.splitter.droppedBytes + this.audio.droppedBytes };
  }

  /** The codec was told: its container (unless configured), a cut when it changed, a refusal when the container cannot carry it. */
  private onCodec(codec: VideoCodec, previous: VideoCodec | undefined): void {
    if (previous !== undefined) this.cutForChange();
    this.pictures.clearCodecRefusal();
    try {
      refuseCodecIn(this.options.container, codec, (m) => new UnsupportedStreamError(m));
    } catch (err) {
      // Called from inside the splitter: thrown once the chunk is split.
      this.pictures.refuseCodec(err);
      return;
    }
    this.writer.use(this.options.container ?? defaultContainerFor(codec));
  }

  private cutForChange(): void {
    this.cut();
    this.cutter.resetGop();
  }

  /** Frames waiting for audio (and for their presentation time, `withReordered`) go into the segment. */
  private release(withReordered: boolean): void {
    if (withReordered) this.pictures.flushReordered();
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
}
