import { AdtsParser, type AdtsFrameEvent } from '../../media/aac/adts-parser.ts';
import { parseAdtsHeader, type AdtsHeader } from '../../media/aac/adts-header.ts';
import { AccessUnitAssembler, type AccessUnit } from '../../media/h264/access-unit-assembler.ts';
import { AnnexBSplitter, DEFAULT_MAX_NAL_BYTES, type OversizeNalEvent } from '../../media/bitstream/annexb-splitter.ts';
import { BitReader } from '../../media/bitstream/bit-reader.ts';
import { aacCodecString, avcCodecString } from '../../media/h264/codecs-string.ts';
import { AUD_WITH_START_CODE, START_CODE_4 } from '../../media/h264/nal-unit-type.ts';
import { unescapeRbsp } from '../../media/bitstream/rbsp.ts';
import type { SpsInfo } from '../../media/h264/sps-parser.ts';
import { AudioTimeline } from './clock/audio-timeline.ts';
import { FILE_START_TICKS, RawVideoClock } from './clock/raw-video-clock.ts';
import { MediaInputError, UnsupportedStreamError } from '../../media/media-error.ts';
import type { SegmenterStats } from './media-segment.ts';
import { cutAtIdr, cutRuleFor, GopTracker, type CutRule } from './segment/cut-policy.ts';
import type { SegmenterOptions, VideoTiming } from './segmenter-options.ts';
import { PTS_HZ, TS_PACKET_BYTES, TS_PAYLOAD_BYTES } from '../../media/ts/ts-constants.ts';
import { TsMuxer } from '../../media/ts/ts-muxer.ts';
export { segmentBuffer } from '../../media/ts/ts-muxer.ts';
export type { SegmenterOptions, VideoTiming } from './segmenter-options.ts';

/** The open (not yet finished) segment, for event pre-record. */
export interface OpenSegmentInfo {
  /** UTC ms of its first video frame. */
  startMs: number;
  /** ms from its first frame to the end of the last frame muxed so far. */
  durationMs: number;
  /** TS bytes muxed so far. */
  bytes: number;
  videoFrames: number;
}

const TICKS_PER_MS = PTS_HZ / 1000;
const DEFAULT_TARGET_SECONDS = 6;
const DEFAULT_MAX_FRAME_GAP_MS = 3000;
/** Arrival times within this of the expected time are smoothed, not taken raw. */
const ARRIVAL_SMOOTHING_WINDOW_MS = 1000;
const ARRIVAL_SMOOTHING_GAIN = 1 / 8;
const MAX_AUDIO_FRAMES_PER_PES = 8;
/**
 * Timed frames whose decode times are closer than this (1 ms: no camera sends 1,000 frames a
 * second) were re-stamped, not captured: when a source's clock steps back (a camera's clock
 * step, ffmpeg's RTSP demuxer re-basing on its first RTCP sender report, an RTSP server
 * restarting a shared stream for a new client), the ffmpeg CLI stamps the stepped-back
 * packets at the last time + 1 tick, + 2, ... Their real times are unknown.
 */
const RESTAMPED_MAX_STEP_TICKS = 90;
/** profile_idc of Baseline (H.264 A.2.1): it has no B slices, so one there is corrupt. */
const PROFILE_BASELINE = 66;
/** Live video waits for audio at most this far behind it (90 kHz): 1 s. */
const MAX_LIVE_AUDIO_WAIT_TICKS = 90_000;
/** ... and for announced audio's first frame at most this long: 2 s. */
const MAX_AUDIO_START_WAIT_TICKS = 180_000;
/** Audio waiting for video (no open segment): at most this many frames (~10 s at 48 kHz). */
const MAX_QUEUED_AUDIO_FRAMES = 512;
/** Files: audio read ahead of video, at most this many bytes (a reader keeps them in step well under it). */
const MAX_QUEUED_FILE_AUDIO_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Without maxSegmentSeconds: this many targets, and never under MIN_MAX_SEGMENT_SECONDS. */
const MAX_SEGMENT_TARGETS = 5;
const MIN_MAX_SEGMENT_SECONDS = 30;

interface OpenSegment {
  /** Presentation time of its first IDR: where the segment starts. */
  startPts: number;
  /** Decode time of its first IDR: audio from here on belongs to this segment. */
  startDts: number;
  lastDts: number;
  /** Latest presentation time muxed (B-frames: not the last frame's). */
  maxPts: number;
  frames: number;
  discontinuity: boolean;
  hasAudio: boolean;
  /** Audio was on at open but no audio frame had arrived yet: the first one adds it. */
  awaitingAudio: boolean;
  codecs: string;
  width: number;
  height: number;
}

interface QueuedAudio {
  frame: Uint8Array;
  ticks: number;
  durationTicks: number;
  /** The time is the source's own (not arrival): see AudioTimeline. */
  sourceTimed: boolean;
}

/** A coded picture with its times (90 kHz, unwrapped). */
interface TimedAccessUnit {
  au: AccessUnit;
  pts: number;
  dts: number;
}

/**
 * H.264 Annex-B (+ AAC ADTS) in, MPEG-TS segments out. Used by the agent (live) and by
 * `camrec segment` (files): the same parsers, cut rule and muxer.
 *
 * Time: access units given with a presentation and a decode time (the source's own clock:
 * RTSP, a container, firmware) keep them, so B-frames are welcome: PES headers carry
 * both, PCR follows DTS, and segments start and last in presentation time. Raw Annex-B
 * without times (a pipe, a file) is timed by arrival or frame rate (`RawVideoClock`); it
 * cannot be reordered, so a B-frame stream there is refused once and nothing of it is kept.
 *
 * A segment starts at an IDR with SPS and PPS in front (the latest ones are cached and
 * inserted when the encoder sends them only now and then) and ends where `cut-policy`
 * says: at the first IDR at or after the target (less half a frame), or earlier when the
 * camera's GOP would carry it past EXT-X-TARGETDURATION; never at a frame that is not an
 * IDR. Corrupt input is reported, counted, and skipped to the next IDR.
 *
 * Memory: the open segment's TS bytes plus the input of the access unit being assembled
 * (pushed chunks are referenced, not copied, until their frame is muxed: do not reuse a
 * chunk's memory after pushing it), plus at most 512 queued live audio frames. Finished
 * segments are handed over and forgotten. Under 'frame-rate' timing with audio, video
 * frames wait for audio to catch up (see `wantsAudio()`), so a file reader keeps the two
 * in step.
 */
export class LiveSegmenter {
  private readonly rule: CutRule;
  private readonly timing: VideoTiming;
  private readonly maxFrameBytes: number;
  private readonly maxSegmentBytes: number;
  private readonly maxSegmentTicks: number;
  private audioOn: boolean;
  private readonly splitter: AnnexBSplitter;
  private readonly assembler: AccessUnitAssembler;
  private readonly adts: AdtsParser;
  private readonly muxer = new TsMuxer();
  private readonly clock: RawVideoClock;
  private readonly gop = new GopTracker();
  private sps?: { nal: Uint8Array; info: SpsInfo };
  private readonly ppsById = new Map<number, Uint8Array>();
  private audioInfo?: AdtsHeader;
  private seg?: OpenSegment;
  private needIdr = true;
  private nextDiscontinuity = true;
  private everOpened = false;
  private resyncing = false;
  private reportedLeadingGarbage = false;
  /** Times the caller gave with putVideoFrame, for the access unit(s) of that call. */
  private given: { ptsMs?: number; dtsMs?: number } | undefined;
  /** Inside a run of re-stamped frames (timed input): dropped until a believable time comes. */
  private restamped = false;
  /**
   * closeSegment() was called since the last timed frame (a source reconnecting): the next
   * connection's clock starts 1 tick after the last time handed on, so its first frame may
   * follow the last one by a tick without having been re-stamped.
   */
  private closedByCaller = false;
  /** Duration of one frame (90 kHz) for timed input: from DTS steps or the SPS. */
  private frameTicks: number;
  private lastDts: number | undefined;
  // Audio
  private audioQueue: QueuedAudio[] = [];
  private audioQueueBytes = 0;
  private heldVideoBytes = 0;
  /** Audio decode times never go back: where each muxed frame goes (see AudioTimeline). */
  private readonly audioTimeline = new AudioTimeline({ maxSnapBackTicks: ARRIVAL_SMOOTHING_WINDOW_MS * ARRIVAL_SMOOTHING_GAIN * TICKS_PER_MS });
  private audioSamples = 0;
  private audioNextMs?: number;
  private audioEnded = false;
  private audioCoveredTicks = -Infinity;
  private explicitAudioTime = false;
  private audioExpected = false;
  private heldVideo: TimedAccessUnit[] = [];
  /** Untimed input: a well-formed B access unit was seen in this GOP; frames wait to learn whether it was corrupt. */
  private suspectB: AccessUnit | undefined;
  /** Untimed B-frame stream refused: everything is dropped until the SPS changes. */
  private refusedB = false;
  /** Warned that the camera's GOP is longer than the target (once per SPS). */
  private warnedGop = false;
  /**
   * An error raised while the splitter was handing over NAL units: kept until the splitter
   * has finished the chunk (so it is never left mid-NAL), then thrown out of push*.
   */
  private deferred?: unknown;
  private readonly st: SegmenterStats = { frames: 0, audioFrames: 0, segments: 0, bytes: 0, inputErrors: 0, droppedBytes: 0, droppedFrames: 0 };

  constructor(readonly options: SegmenterOptions) {
    const target = options.targetSegmentSeconds ?? DEFAULT_TARGET_SECONDS;
    if (!(target > 0 && target <= 600)) throw new RangeError(`targetSegmentSeconds=${target}: must be more than 0 and at most 600`);
    const timing = options.videoTiming ?? { kind: 'arrival' };
    if (timing.kind === 'frame-rate' && timing.fps !== undefined && !(timing.fps > 0 && timing.fps <= 300)) {
      throw new RangeError(`fps=${timing.fps}: must be more than 0 and at most 300`);
    }
    this.rule = cutRuleFor(target);
    this.timing = timing;
    this.clock = new RawVideoClock(timing, options.maxFrameGapMs ?? DEFAULT_MAX_FRAME_GAP_MS);
    this.frameTicks = this.clock.frameTicks;
    this.audioOn = options.audio ?? false;
    this.maxFrameBytes = positiveOption('maxFrameBytes', options.maxFrameBytes, DEFAULT_MAX_NAL_BYTES);
    this.maxSegmentBytes = positiveOption('maxSegmentBytes', options.maxSegmentBytes, DEFAULT_MAX_SEGMENT_BYTES);
    this.maxSegmentTicks = Math.round(PTS_HZ * positiveOption('maxSegmentSeconds', options.maxSegmentSeconds, Math.max(MAX_SEGMENT_TARGETS * target, MIN_MAX_SEGMENT_SECONDS)));
    this.assembler = new AccessUnitAssembler((au) => this.onAccessUnitSafely(au), this.maxFrameBytes);
    this.splitter = this.newSplitter();
    this.adts = new AdtsParser(
      (e) => this.onAdtsFrame(e),
      (message, offset) => this.report(message, offset),
    );
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
   * B-frame; with `ptsMs` alone it is a capture time (no reordering); with neither it
   * takes the time it arrives.
   */
  putVideoFrame(accessUnitAnnexB: Uint8Array, ptsMs?: number, dtsMs?: number): void {
    const splitter = this.newSplitter();
    this.given = ptsMs === undefined ? undefined : { ptsMs, dtsMs };
    try {
      splitter.push(accessUnitAnnexB, ptsMs ?? Date.now());
      splitter.flush();
      this.assembler.flush();
    } finally {
      this.given = undefined;
    }
    if (splitter.leadingGarbageBytes) this.report(`frame has ${splitter.leadingGarbageBytes} bytes before its first start code (expected Annex-B)`, 0, splitter.leadingGarbageBytes);
    this.throwDeferred();
  }

  /** Bytes of an ADTS stream (any chunking). Ignored while audio is off. */
  pushAudio(adtsChunk: Uint8Array, arrivalMs: number = Date.now()): void {
    if (!this.audioOn) return;
    this.adts.push(adtsChunk, arrivalMs);
  }

  /** Exactly one ADTS frame (header included), with its presentation time (UTC ms). Ignored while audio is off. */
  putAudioFrame(adtsFrame: Uint8Array, ptsMs?: number): void {
    if (!this.audioOn) return;
    const header = parseAdtsHeader(adtsFrame, 0);
    if (!header || header.frameBytes !== adtsFrame.byteLength) {
      this.report(`audio frame of ${adtsFrame.byteLength} bytes is not one ADTS frame`, 0, adtsFrame.byteLength);
      return;
    }
    this.explicitAudioTime = ptsMs !== undefined;
    try {
      this.onAdtsFrame({ frame: adtsFrame, header, offset: 0, arrivalMs: ptsMs ?? Date.now() });
    } finally {
      this.explicitAudioTime = false;
    }
  }

  /** Audio on/off at run time; takes effect at the next segment (the PMT lists audio per segment). */
  setAudioEnabled(on: boolean): void {
    this.audioOn = on;
    if (!on) {
      this.audioQueue = [];
      this.audioQueueBytes = 0;
    }
  }

  /**
   * Live: audio is on its way but has not started (e.g. a transcoder starting up): video
   * waits for its first frame up to 2 s, so the first segment carries audio too.
   */
  expectAudio(): void {
    if (this.audioOn && this.audioInfo === undefined) this.audioExpected = true;
  }

  /** Files: no more audio will come, so video stops waiting for it. */
  endAudio(): void {
    this.adts.flush();
    this.audioEnded = true;
    this.releaseHeldVideo();
  }

  /** Files under 'frame-rate' timing with audio: true while video frames wait for audio to catch up. */
  wantsAudio(): boolean {
    return this.heldVideo.length > 0;
  }

  /** Cut now after the last complete frame (emits it if it has any frame); the next segment starts at an IDR and is a discontinuity. */
  closeSegment(): void {
    this.closedByCaller = true;
    this.settleSuspectB();
    this.releaseHeldVideo(true);
    this.cut();
  }

  /** End of input: flush the frame being assembled, then closeSegment(). */
  end(): void {
    this.splitter.flush();
    this.assembler.flush();
    this.checkLeadingGarbage();
    // Audio past the last video frame is not needed; a partial frame there is no error.
    this.audioEnded = true;
    this.closeSegment();
    this.throwDeferred();
  }

  /** The open segment, or undefined when none is open (before the first IDR, or right after a cut). */
  openSegment(): OpenSegmentInfo | undefined {
    const s = this.seg;
    if (!s) return undefined;
    return {
      startMs: this.ticksToMs(s.startPts),
      durationMs: (s.maxPts + this.frameTicks - s.startPts) / TICKS_PER_MS,
      bytes: this.muxer.bytes,
      videoFrames: s.frames,
    };
  }

  /**
   * Stream offset (counting the bytes given to pushVideo) of the oldest pushed byte the
   * segmenter may still reference: the frame being assembled and frames waiting for
   * audio. Memory of chunks that lie wholly before it can be reused by the caller.
   */
  videoHeldFrom(): number {
    let from = this.splitter.heldFrom;
    const au = this.assembler.heldFrom;
    if (au !== undefined && au < from) from = au;
    for (const h of this.heldVideo) if (h.au.offset < from) from = h.au.offset;
    return from;
  }

  /**
   * Optional: gives a finished segment's bytes back once the receiver is done with them
   * (encrypted, written, uploaded), so later segments reuse that memory instead of
   * allocating (and page-faulting) a fresh buffer each time. At most 2 are kept. Do not
   * touch `bytes` afterwards. Views this segmenter did not hand out are ignored.
   */
  recycle(bytes: Uint8Array): void {
    this.muxer.recycle(bytes);
  }

  stats(): SegmenterStats {
    return { ...this.st, droppedBytes: this.st.droppedBytes + this.splitter.leadingGarbageBytes + this.splitter.droppedBytes + this.adts.droppedBytes };
  }

  private newSplitter(): AnnexBSplitter {
    return new AnnexBSplitter((e) => this.assembler.push(e), this.maxFrameBytes, (e) => this.onOversizeNal(e));
  }

  /** A NAL unit passed maxFrameBytes (its bytes are dropped as they come): the frame it belongs to is corrupt. */
  private onOversizeNal(e: OversizeNalEvent): void {
    // Which frame the NAL belonged to is unknown: the one being assembled is let go too.
    this.assembler.markCorrupt(e.offset, 0, `NAL unit at byte ${e.offset} is over ${this.maxFrameBytes} bytes with no start code (a bad encoder pipe, or raise maxFrameBytes): dropping it`);
    this.assembler.flush();
  }

  // ---- video -------------------------------------------------------------------------

  /** Called from inside the splitter: nothing may be thrown through it (see `deferred`). */
  private onAccessUnitSafely(au: AccessUnit): void {
    if (this.deferred instanceof UnsupportedStreamError) {
      this.drop(au);
      return;
    }
    try {
      this.onAccessUnit(au);
    } catch (err) {
      this.deferred ??= err;
      if (err instanceof UnsupportedStreamError) {
        // Keep what was recorded up to here; the next segment starts at an IDR.
        this.drop(au);
        this.releaseHeldVideo(true);
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

  /**
   * A B access unit is believed only when it is well formed: an SPS of a profile with B
   * slices, and its slice names a PPS the stream sent. Anything else is corrupt bytes
   * that happen to read as slice_type B.
   */
  private isWellFormedBFrame(au: AccessUnit): boolean {
    const profile = au.sps?.info.profileIdc ?? this.sps?.info.profileIdc;
    return profile !== undefined && profile !== PROFILE_BASELINE && au.bSlicePpsId !== undefined && this.ppsById.has(au.bSlicePpsId);
  }

  private onAccessUnit(au: AccessUnit): void {
    if (au.corrupt) {
      this.onCorrupt(au, au.corrupt);
      return;
    }
    const encoderChanged = this.cacheParameterSets(au);
    if (encoderChanged) {
      // A new encoder configuration: a B-frame refusal or GOP warning is for the old one.
      this.refusedB = false;
      this.warnedGop = false;
      this.settleSuspectB();
    }
    if (!au.hasVcl) {
      if (encoderChanged) this.cutForChange();
      return;
    }
    if (this.refusedB) {
      this.drop(au);
      return;
    }
    const given = this.given;
    const timed = given?.ptsMs !== undefined && given.dtsMs !== undefined;
    if (!timed && this.screenBFrames(au)) return;
    const t = timed ? this.timedTicks(given.ptsMs!, given.dtsMs!) : this.rawTicks(au, given?.ptsMs);
    if (t === undefined) {
      this.drop(au);
      return;
    }
    if (encoderChanged) this.cutForChange();
    if (this.waitsForAudio(t.dts)) {
      this.heldVideo.push({ au, pts: t.pts, dts: t.dts });
      this.heldVideoBytes += au.nalBytes;
      // Audio that never catches up must not hold video without bound: stop waiting for it.
      if (this.heldVideoBytes > this.maxSegmentBytes) this.releaseHeldVideo(true);
      return;
    }
    this.placeAccessUnit({ au, pts: t.pts, dts: t.dts });
  }

  private onCorrupt(au: AccessUnit, why: string): void {
    this.report(why, au.offset, au.nalBytes);
    this.st.droppedBytes += au.nalBytes;
    if (au.hasVcl) {
      this.st.droppedFrames++;
      if (!this.given) this.clock.skip();
    }
    this.resyncing = true;
    this.releaseHeldVideo(true);
    this.cut();
  }

  /**
   * Untimed input cannot carry B-frames (no decode order to rebuild). A well-formed B
   * access unit makes the segmenter wait (its frames are held back) to learn which it is:
   * a second one in the GOP is a B-frame stream, refused once with the fix, and the open
   * segment, already holding its first frames, is thrown away with it (nothing of such a
   * stream is uploaded); an IDR with no second one means the first was corrupt bytes,
   * handled as corrupt input (the segment closes at the last good frame). Returns true
   * when the access unit was taken care of here.
   */
  private screenBFrames(au: AccessUnit): boolean {
    if (this.suspectB) {
      if (au.hasBSlice && this.isWellFormedBFrame(au)) {
        this.suspectB = undefined;
        this.refuseBFrames(au);
        return true;
      }
      if (!au.isIdr) {
        this.drop(au);
        if (!this.given) this.clock.skip();
        return true;
      }
      this.settleSuspectB();
    }
    if (!au.hasBSlice) return false;
    if (!this.isWellFormedBFrame(au)) {
      this.onCorrupt(au, `frame at byte ${au.offset} has a B slice that names no known PPS (or a Baseline SPS) (corrupt bytes, or B-frames)`);
      return true;
    }
    this.suspectB = au;
    if (!this.given) this.clock.skip();
    return true;
  }

  /** The held-back B access unit turned out to be a lone one: corrupt input. */
  private settleSuspectB(): void {
    const b = this.suspectB;
    if (!b) return;
    this.suspectB = undefined;
    this.onCorrupt(b, `frame at byte ${b.offset} has a B slice (corrupt bytes, or B-frames)`);
  }

  private refuseBFrames(au: AccessUnit): void {
    this.refusedB = true;
    this.drop(au);
    this.discardOpenSegment();
    throw new UnsupportedStreamError(
      'the H.264 stream has B-frames but no timestamps to reorder them by (raw Annex-B): nothing of it is recorded. ' +
        'Feed it with timestamps (RTSP, a container file such as .mp4/.mkv/.ts, or putVideoFrame(au, ptsMs, dtsMs)), ' +
        'or configure the encoder without B-frames (x264/ffmpeg: -bf 0 or -tune zerolatency; cameras: baseline profile or "B-frames off")',
    );
  }

  /** Drops the open segment unsent (a refused stream): its frames count as dropped. */
  private discardOpenSegment(): void {
    this.releaseHeldVideo(true);
    if (this.seg) {
      this.st.droppedFrames += this.seg.frames;
      this.st.frames -= this.seg.frames;
      this.muxer.discardSegment();
      this.seg = undefined;
    }
    this.needIdr = true;
    this.nextDiscontinuity = true;
  }

  /**
   * Source times (UTC ms) to ticks; decode time kept increasing, presentation never before
   * decode. Undefined for a frame whose time was re-stamped (see RESTAMPED_MAX_STEP_TICKS):
   * it is dropped, the open segment closes at the last good frame, and video resumes at the
   * next IDR with a believable time (a discontinuity).
   */
  private timedTicks(ptsMs: number, dtsMs: number): { pts: number; dts: number } | undefined {
    let dts = Math.round(dtsMs * TICKS_PER_MS);
    let pts = Math.round(ptsMs * TICKS_PER_MS);
    const last = this.lastDts;
    const afterClose = this.closedByCaller;
    this.closedByCaller = false;
    if (last !== undefined && !afterClose && dts > last && dts - last < RESTAMPED_MAX_STEP_TICKS) {
      if (!this.restamped) {
        this.restamped = true;
        // Frames from before the step (some may wait for audio) go first; after them, an IDR.
        this.releaseHeldVideo(true);
        if (this.seg) this.cut();
        this.gop.reset();
        this.needIdr = true;
        this.nextDiscontinuity = true;
        this.report(
          `video frames ${((dts - last) / TICKS_PER_MS).toFixed(3)} ms apart: the source's clock stepped back and its frames were re-stamped (ffmpeg does that); ` +
            'dropping them, video resumes at the next IDR',
          0,
        );
      }
      this.lastDts = dts;
      return undefined;
    }
    this.restamped = false;
    if (last !== undefined) {
      if (dts <= last || dts - last > (this.options.maxFrameGapMs ?? DEFAULT_MAX_FRAME_GAP_MS) * TICKS_PER_MS) {
        // Time went back or jumped (a new connection, a clock step): a new discontinuity.
        if (dts <= last && last - dts < this.frameTicks) {
          // A one-tick stumble: keep going.
          const shift = last + 1 - dts;
          dts += shift;
          pts += shift;
        } else {
          if (this.seg) {
            this.releaseHeldVideo(true);
            this.cut();
            this.gop.reset();
          }
          // The source's clock went back (a camera's clock step): audio follows it from here.
          if (dts <= last) this.audioTimeline.restart();
        }
      } else if (this.seg) {
        const fps = this.sps?.info.fps;
        this.frameTicks = fps ? PTS_HZ / fps : dts - last;
      }
    }
    if (pts < dts) pts = dts;
    this.lastDts = dts;
    return { pts, dts };
  }

  private rawTicks(au: AccessUnit, explicitMs: number | undefined): { pts: number; dts: number } {
    const hasSps = this.sps !== undefined;
    const t = this.clock.next(explicitMs ?? au.arrivalMs, explicitMs !== undefined, this.sps?.info.fps, hasSps);
    this.frameTicks = this.clock.frameTicks;
    if (t.gap && this.seg) {
      this.releaseHeldVideo(true);
      this.cut();
      this.gop.reset();
    }
    this.lastDts = t.ticks;
    return { pts: t.ticks, dts: t.ticks };
  }

  /**
   * Video waits for audio to catch up, so a segment is cut with its audio in hand (audio
   * that came after the cut would belong to a finished segment and be lost). Files wait as
   * long as audio comes; live sources wait only while audio is flowing and at most
   * MAX_LIVE_AUDIO_WAIT_TICKS behind (a transcoder's delay, a muxer's interleaving): audio
   * further behind, or gone, lets video through.
   */
  private waitsForAudio(dts: number): boolean {
    if (!this.audioOn || this.audioEnded) return false;
    if (this.timing.kind !== 'frame-rate' || this.given) {
      if (this.audioInfo === undefined && this.audioExpected) {
        // Audio announced but not here yet (a transcoder starting): wait, but not for ever.
        if (dts - (this.heldVideo[0]?.dts ?? dts) <= MAX_AUDIO_START_WAIT_TICKS) return true;
        this.audioExpected = false;
      }
      if (this.audioInfo === undefined || dts - this.audioCoveredTicks > MAX_LIVE_AUDIO_WAIT_TICKS) {
        if (this.heldVideo.length) this.releaseHeldVideo(true);
        return false;
      }
    }
    return this.heldVideo.length > 0 || dts >= this.audioCoveredTicks;
  }

  private releaseHeldVideo(all = false): void {
    while (this.heldVideo.length && (all || this.audioEnded || this.heldVideo[0]!.dts < this.audioCoveredTicks)) {
      const h = this.heldVideo.shift()!;
      this.heldVideoBytes -= h.au.nalBytes;
      this.placeAccessUnit(h);
    }
  }

  /** Decides whether a timed access unit opens a segment, closes one, is dropped, or is muxed. */
  private placeAccessUnit(t: TimedAccessUnit): void {
    const au = t.au;
    if (this.needIdr || this.resyncing) {
      if (!au.isIdr) {
        if (!this.everOpened && !this.resyncing && this.st.droppedFrames === 0) {
          this.report('the video starts mid-GOP (no IDR yet): dropping frames until the first IDR', au.offset);
        }
        this.drop(au);
        return;
      }
    } else if (au.isIdr && this.seg) {
      const interval = this.gop.idr(t.pts);
      if (interval !== undefined) this.checkGop();
      if (cutAtIdr(this.rule, { elapsedTicks: t.pts - this.seg.startPts, frameTicks: this.frameTicks, gopTicks: this.gop.gopTicks })) {
        this.finish(t.pts, t.dts);
      }
    } else if (this.seg && (this.muxer.bytes + tsBytesOf(au) > this.maxSegmentBytes || t.pts - this.seg.startPts > this.maxSegmentTicks)) {
      // No IDR to close at (an encoder that stopped sending them): cut, so memory stays bounded.
      const overBytes = this.muxer.bytes + tsBytesOf(au) > this.maxSegmentBytes;
      this.report(
        `no IDR to close the segment at within ${overBytes ? `${this.maxSegmentBytes} bytes` : `${this.maxSegmentTicks / PTS_HZ} s`}: cut there; video resumes at the next IDR (configure the encoder's GOP/keyframe interval shorter)`,
        au.offset,
      );
      this.releaseHeldVideo(true);
      this.cut();
      this.resyncing = true;
      if (!au.isIdr) {
        this.drop(au);
        return;
      }
    }
    if (!this.seg) {
      if (!this.sps || this.ppsById.size === 0) {
        this.report(`IDR at byte ${au.offset} has no SPS/PPS before it: dropping until an IDR with parameter sets`, au.offset);
        this.drop(au);
        return;
      }
      if (this.nextDiscontinuity) this.gop.reset();
      this.gop.idr(t.pts);
      this.openSegmentAt(t);
    }
    this.muxAccessUnit(t);
  }

  /** Once per encoder configuration: the camera's GOP is longer than the target, so segments cannot keep to it. */
  private checkGop(): void {
    if (this.warnedGop || !this.gop.tooLong(this.rule, this.frameTicks)) return;
    this.warnedGop = true;
    const gopS = this.gop.gopTicks! / PTS_HZ;
    const targetS = this.rule.targetTicks / PTS_HZ;
    const fps = this.sps?.info.fps ?? PTS_HZ / this.frameTicks;
    const exceeds = this.gop.gopTicks! > this.rule.ceilingTicks + this.frameTicks / 2;
    this.options.onStreamWarning?.(
      `the camera sends an IDR (keyframe) every ${gopS.toFixed(2)} s, longer than the ${targetS} s segment length: segments run ${gopS.toFixed(2)} s` +
        (exceeds ? ` and exceed the playlists' EXT-X-TARGETDURATION of ${this.rule.ceilingTicks / PTS_HZ} s (players may stall)` : '') +
        `. Fix: set the camera's I-frame (keyframe/GOP) interval to at most ${targetS} s (${Math.max(1, Math.floor(targetS * fps + 1e-6))} frames at ${Math.round(fps * 100) / 100} fps), or raise segmentSeconds`,
    );
  }

  private openSegmentAt(t: TimedAccessUnit): void {
    const info = this.sps!.info;
    const hasAudio = this.audioOn && this.audioInfo !== undefined;
    this.seg = {
      startPts: t.pts, startDts: t.dts, lastDts: t.dts, maxPts: t.pts, frames: 0, discontinuity: this.nextDiscontinuity, hasAudio,
      awaitingAudio: this.audioOn && !hasAudio,
      codecs: avcCodecString(info) + (hasAudio ? `,${aacCodecString(this.audioInfo!.audioObjectType)}` : ''),
      width: info.width, height: info.height,
    };
    this.needIdr = false;
    this.resyncing = false;
    this.nextDiscontinuity = false;
    this.everOpened = true;
    this.muxer.beginSegment(hasAudio);
  }

  private muxAccessUnit(t: TimedAccessUnit): void {
    const seg = this.seg!;
    const au = t.au;
    this.flushAudio(t.dts);
    const parts: Uint8Array[] = [];
    let i = 0;
    if (au.hasAud) {
      parts.push(START_CODE_4, au.nals[0]!);
      i = 1;
    } else {
      parts.push(AUD_WITH_START_CODE);
    }
    if (seg.frames === 0) {
      // The segment must decode on its own: SPS and PPS in front of its first IDR.
      if (!au.sps) parts.push(START_CODE_4, this.sps!.nal);
      if (au.pps.length === 0) for (const pps of this.ppsById.values()) parts.push(START_CODE_4, pps);
    }
    for (; i < au.nals.length; i++) parts.push(START_CODE_4, au.nals[i]!);
    this.muxer.writeVideo(parts, t.pts, t.dts, au.isIdr);
    seg.lastDts = t.dts;
    if (t.pts > seg.maxPts) seg.maxPts = t.pts;
    seg.frames++;
    this.st.frames++;
  }

  private drop(au: AccessUnit): void {
    this.st.droppedFrames++;
    this.st.droppedBytes += au.nalBytes;
  }

  /** Caches SPS/PPS; true when the SPS differs from the cached one (an encoder change). */
  private cacheParameterSets(au: AccessUnit): boolean {
    let changed = false;
    if (au.sps) {
      changed = this.sps !== undefined && !sameBytes(this.sps.nal, au.sps.nal);
      this.sps = { nal: copyBytes(au.sps.nal), info: au.sps.info };
      if (changed) this.ppsById.clear();
    }
    for (const pps of au.pps) {
      try {
        this.ppsById.set(new BitReader(unescapeRbsp(pps, 1, 8)).ue(), copyBytes(pps));
      } catch {
        // An unreadable PPS id: the slices that use it will fail to decode; keep the stream going.
      }
    }
    return changed;
  }

  private cutForChange(): void {
    this.releaseHeldVideo(true);
    this.cut();
    this.gop.reset();
  }

  private ticksToMs(ticks: number): number {
    return this.clock.toMs(ticks);
  }

  /** Close the open segment after its last frame; the next one starts at an IDR, as a discontinuity. */
  private cut(): void {
    const seg = this.seg;
    if (seg) {
      const end = seg.maxPts + Math.round(this.frameTicks);
      this.finish(end, seg.lastDts + Math.round(this.frameTicks));
    }
    this.needIdr = true;
    this.nextDiscontinuity = true;
  }

  /** Ends the open segment at presentation time `endPts`; audio before `endDts` (the next segment's audio boundary) goes in. */
  private finish(endPts: number, endDts: number): void {
    const seg = this.seg!;
    this.flushAudio(endDts);
    const bytes = this.muxer.finishSegment();
    this.seg = undefined;
    this.st.segments++;
    this.st.bytes += bytes.byteLength;
    this.options.onSegment({
      bytes,
      startMs: this.ticksToMs(seg.startPts),
      durationMs: (endPts - seg.startPts) / TICKS_PER_MS,
      codecs: seg.codecs,
      width: seg.width,
      height: seg.height,
      discontinuity: seg.discontinuity,
      videoFrames: seg.frames,
      hasAudio: seg.hasAudio,
    });
  }

  // ---- audio -------------------------------------------------------------------------

  private onAdtsFrame(e: AdtsFrameEvent): void {
    if (!this.audioOn) return;
    const h = e.header;
    this.audioInfo = h;
    const seg = this.seg;
    if (seg && !seg.hasAudio && seg.awaitingAudio) {
      // Audio was on when this segment opened but its first frame only arrives now (a
      // live start): the segment carries audio from here, under one PMT.
      seg.hasAudio = true;
      seg.awaitingAudio = false;
      seg.codecs += `,${aacCodecString(h.audioObjectType)}`;
      this.muxer.addAudioToPmt();
    }
    let ticks: number;
    if (this.timing.kind === 'frame-rate') {
      ticks = FILE_START_TICKS + Math.round((this.audioSamples * PTS_HZ) / h.sampleRateHz);
    } else {
      let ms = e.arrivalMs;
      const expected = this.audioNextMs;
      if (!this.explicitAudioTime && expected !== undefined) {
        const diff = ms - expected;
        if (Math.abs(diff) < ARRIVAL_SMOOTHING_WINDOW_MS) ms = expected + diff * ARRIVAL_SMOOTHING_GAIN;
      }
      this.audioNextMs = ms + (h.samples * 1000) / h.sampleRateHz;
      ticks = Math.round(ms * TICKS_PER_MS);
    }
    this.audioSamples += h.samples;
    this.audioCoveredTicks = this.timing.kind === 'frame-rate' ? FILE_START_TICKS + Math.round((this.audioSamples * PTS_HZ) / h.sampleRateHz) : ticks + Math.round((h.samples * PTS_HZ) / h.sampleRateHz);
    // The frame may be a view of a chunk the caller reuses (pipes do not, but be safe): copy it (small).
    const durationTicks = (h.samples * PTS_HZ) / h.sampleRateHz;
    this.audioQueue.push({ frame: copyBytes(e.frame), ticks, durationTicks, sourceTimed: this.timing.kind === 'frame-rate' || this.explicitAudioTime });
    this.audioQueueBytes += e.frame.byteLength;
    // Audio waiting for video is capped (dropped oldest first, counted): live by frames, files by bytes.
    const over = () => (this.timing.kind === 'arrival' ? this.audioQueue.length > MAX_QUEUED_AUDIO_FRAMES : this.audioQueueBytes > MAX_QUEUED_FILE_AUDIO_BYTES);
    while (over()) {
      const dropped = this.audioQueue.shift()!;
      this.audioQueueBytes -= dropped.frame.byteLength;
      this.st.droppedBytes += dropped.frame.byteLength;
    }
    if (this.heldVideo.length) this.releaseHeldVideo();
    else if (this.seg && this.seg.frames > 0 && ticks <= this.seg.lastDts) this.flushAudio(this.seg.lastDts + 1);
  }

  /**
   * Mux queued audio older than `beforeTicks` into the open segment (if it carries audio).
   * Each frame is placed on the audio timeline (never back in time), and only frames that
   * follow each other exactly share a PES: a decoder times the later frames of a PES by
   * their sample count from its PTS.
   */
  private flushAudio(beforeTicks: number): void {
    const seg = this.seg;
    const q = this.audioQueue;
    if (!seg || !seg.hasAudio || q.length === 0) return;
    let group: Uint8Array[] = [];
    let groupTicks = 0;
    const writeGroup = () => {
      if (group.length === 0) return;
      this.muxer.writeAudio(group, Math.round(groupTicks));
      this.st.audioFrames += group.length;
      group = [];
    };
    let i = 0;
    for (; i < q.length && q[i]!.ticks < beforeTicks; i++) {
      const f = q[i]!;
      this.audioQueueBytes -= f.frame.byteLength;
      // Older than the segment: its video is gone.
      if (f.ticks < seg.startDts) continue;
      const at = this.audioTimeline.place(f.ticks, f.durationTicks, f.sourceTimed);
      if (!at) {
        // It overlaps audio already muxed (the source's clock stepped back): counted, dropped.
        this.st.droppedBytes += f.frame.byteLength;
        continue;
      }
      if (!at.contiguous || group.length >= MAX_AUDIO_FRAMES_PER_PES) writeGroup();
      if (group.length === 0) groupTicks = at.ticks;
      group.push(f.frame);
    }
    writeGroup();
    if (i) this.audioQueue = q.slice(i);
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

/**
 * A copy of `bytes` in memory of its own. (Buffer#slice is a view, not a copy: the
 * cached SPS/PPS and queued audio frames must not point into a caller's chunk.)
 */
function copyBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes);
}

/**
 * TS bytes an access unit can take at most when muxed: its NAL units with 4-byte start
 * codes, an AUD and SPS/PPS in front, a PES header, 184 payload bytes per 188-byte packet,
 * plus PCR-only packets.
 */
function tsBytesOf(au: AccessUnit): number {
  const PES_AND_PARAMETER_SETS_BYTES = 1024;
  const PCR_PACKETS = 2;
  return (Math.ceil((au.nalBytes + 4 * au.nals.length + PES_AND_PARAMETER_SETS_BYTES) / TS_PAYLOAD_BYTES) + PCR_PACKETS) * TS_PACKET_BYTES;
}

function positiveOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`${name}=${value}: must be more than 0`);
  return value;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
