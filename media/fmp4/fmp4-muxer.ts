import { MediaArgumentError } from '../media-error.ts';
import { writeU32 } from './box-writer.ts';
import type { AudioSample, SegmentInput, VideoSample } from './fmp4-input.ts';
import {
  containerHeader,
  MDAT_HEADER_BYTES,
  mdatHeader,
  MFHD_BYTES,
  mfhd,
  TFDT_BYTES,
  tfdt,
  tfhd,
  tfhdBytes,
  trunBytes,
  trunHeader,
} from './fragment-boxes.ts';
import { planAudioRun, planVideoRun, type AudioRunPlan, type VideoRunPlan } from './fragment-plan.ts';
import { buildInitSegment, TrackId } from './init-segment.ts';
import { BOX_HEADER_BYTES, Brand, SampleFlags, TfhdFlags, TrunFlags } from './iso-bmff-constants.ts';
import { fileTypeBox } from './movie-boxes.ts';
import { FMP4_SEGMENT_SPARE_BYTES, SegmentBufferPool } from './segment-buffer-pool.ts';
import type { AudioTrack, VideoTrack } from './tracks.ts';

export { FMP4_SEGMENT_SPARE_BYTES, fmp4SegmentBuffer } from './segment-buffer-pool.ts';

/** The longest reorder delay believed when the decode shift is derived from the first segment (10 s). */
const MAX_REORDER_DELAY_TICKS = 900_000;
/** Duration of a lone picture when neither the caller nor the SPS says (25 fps). */
const DEFAULT_FRAME_TICKS = 3600;

export interface Fmp4MuxerOptions {
  video: VideoTrack;
  /** An AAC track, when the stream has audio (segments may still carry no audio samples). */
  audio?: AudioTrack;
  /**
   * 'segment' (default): one moof + mdat per segment. 'gop': one per group of pictures,
   * each fragment starting at a sync sample (a player can start inside the segment).
   */
  fragments?: 'segment' | 'gop';
  /**
   * Added to every video decode time written (90 kHz ticks): composition offsets become
   * pts - (dts + shift), signed. With the encoder's reorder delay here, each fragment's
   * earliest presentation time equals its tfdt (CMAF's rule), so players that anchor
   * the timeline at tfdt (hls.js) see no hole at the start. Fixed for the muxer's life, so
   * decode times stay continuous.
   * @default the first segment's earliest pts minus its first dts (0 without B-frames)
   */
  decodeShiftTicks?: number;
}

export interface Fmp4MuxerStats {
  segments: number;
  fragments: number;
  videoSamples: number;
  audioSamples: number;
  bytes: number;
  /** Segments whose first decode time did not continue where the previous segment ended (gaps or overlaps). */
  videoDecodeTimeJumps: number;
}

interface FragmentPlan {
  videoFrom: number;
  video: VideoRunPlan;
  audio?: AudioRunPlan;
  audioFrom: number;
  moofBytes: number;
}

/** styp: major msdh, compatible msdh (a moof+mdat media segment). */
const STYP = fileTypeBox('styp', Brand.MSDH, [Brand.MSDH]);
/** Video tfhd: default-base-is-moof only (every sample states its duration, size and flags). */
const VIDEO_TFHD_FLAGS = TfhdFlags.DEFAULT_BASE_IS_MOOF;
const VIDEO_TRUN_FLAGS = TrunFlags.DATA_OFFSET | TrunFlags.SAMPLE_DURATION | TrunFlags.SAMPLE_SIZE | TrunFlags.SAMPLE_FLAGS;
/** Audio tfhd: default-base-is-moof, every frame a sync sample, one frame's duration when all are equal. */
const AUDIO_TFHD_FLAGS = TfhdFlags.DEFAULT_BASE_IS_MOOF | TfhdFlags.DEFAULT_SAMPLE_FLAGS;

/**
 * Fragmented MP4 (ISO BMFF) muxer for HLS / CMAF: one init segment (`initSegment`, an
 * EXT-X-MAP) and media segments of styp + (moof + mdat) per fragment, one fragment per
 * segment by default. Video is track 1 at 90 kHz (input ticks pass through), AAC is track
 * 2 at its sample rate. Samples are written as 4-byte-length-prefixed NAL units with the
 * parameter sets left in the init segment (hvc1/avc1). Sync samples have
 * sample_depends_on 2; others depends_on 1 + sample_is_non_sync_sample. B-frames get
 * version 1 truns with signed composition offsets: video decode times are written
 * shifted by the reorder delay (decodeShiftTicks), so presentation times stay the
 * input's pts and each fragment's earliest one equals its tfdt, as CMAF asks. Decode
 * times run on across segments when the caller passes each segment's videoEndDts; audio
 * decode times run on by themselves (see planAudioRun).
 *
 * Each segment is written into one buffer whose size is computed exactly first; the NAL
 * units are copied once, in bulk. Memory: the segment being written, plus at most 2
 * buffers given back with `recycle()`.
 */
export class Fmp4Muxer {
  /** The init segment (ftyp + moov): deterministic for the tracks, so its hash can name it. */
  readonly initSegment: Uint8Array;
  /** RFC 6381 codecs of the tracks, e.g. `hvc1.1.6.L93.B0,mp4a.40.2`. */
  readonly codecs: string;
  private readonly video: VideoTrack;
  private readonly audio: AudioTrack | undefined;
  private readonly perGop: boolean;
  private sequenceNumber = 0;
  private decodeShift: number | undefined;
  private lastVideoDuration: number;
  private videoEnd: number | undefined;
  private audioEnd: number | undefined;
  private readonly buffers = new SegmentBufferPool();
  private readonly counts: Fmp4MuxerStats = { segments: 0, fragments: 0, videoSamples: 0, audioSamples: 0, bytes: 0, videoDecodeTimeJumps: 0 };

  constructor(options: Fmp4MuxerOptions) {
    this.video = options.video;
    this.audio = options.audio;
    this.perGop = options.fragments === 'gop';
    if (options.decodeShiftTicks !== undefined) {
      if (!(Number.isSafeInteger(options.decodeShiftTicks) && options.decodeShiftTicks >= 0)) {
        throw new MediaArgumentError(`decodeShiftTicks ${options.decodeShiftTicks} must be a whole number of 90 kHz ticks >= 0 (the encoder's reorder delay)`);
      }
      this.decodeShift = options.decodeShiftTicks;
    }
    this.lastVideoDuration = options.video.frameTicks ?? DEFAULT_FRAME_TICKS;
    this.initSegment = buildInitSegment(options.video, options.audio);
    this.codecs = options.audio ? `${options.video.codecString},${options.audio.codecString}` : options.video.codecString;
  }

  stats(): Fmp4MuxerStats {
    return { ...this.counts };
  }

  /** The decode shift in use (90 kHz), once the first segment fixed it: pass it to a muxer that carries the stream on (a new init, same video). */
  get decodeShiftTicks(): number | undefined {
    return this.decodeShift;
  }

  /**
   * One media segment: styp, then moof + mdat per fragment. Returns a view of a buffer
   * with at least FMP4_SEGMENT_SPARE_BYTES after it (see `fmp4SegmentBuffer()`), yours until
   * you `recycle()` it. Throws MediaArgumentError on input no segment can carry (no
   * pictures, decode times not increasing, audio without an audio track), naming the sample.
   */
  writeSegment(input: SegmentInput): Uint8Array {
    const video = input.video;
    if (video.length === 0) throw new MediaArgumentError('a segment needs at least one video sample');
    const audio = input.audio ?? [];
    if (audio.length && !this.audio)
      throw new MediaArgumentError('audio samples given to a muxer made without an audio track: pass `audio: aacAudioTrack(...)` to the Fmp4Muxer');
    const shift = this.decodeShift ?? firstSegmentShift(video);
    if (this.videoEnd !== undefined && video[0]!.dts + shift !== this.videoEnd) this.counts.videoDecodeTimeJumps++;
    const { plans, audioEnd } = this.plan(video, audio, input.videoEndDts, shift);
    let total = STYP.byteLength;
    for (const f of plans) total += f.moofBytes + MDAT_HEADER_BYTES + f.video.dataBytes + (f.audio?.dataBytes ?? 0);
    const out = this.buffers.take(total + FMP4_SEGMENT_SPARE_BYTES);
    out.set(STYP, 0);
    let at = STYP.byteLength;
    for (const f of plans) at = this.writeFragment(out, at, f, video, audio);
    if (at !== total) throw new Error(`fMP4 segment wrote ${at} of the ${total} bytes planned (a bug in the muxer)`);
    const last = plans[plans.length - 1]!;
    this.lastVideoDuration = last.video.durations[last.video.count - 1]!;
    this.videoEnd = last.video.endDecodeTime;
    this.audioEnd = audioEnd;
    this.decodeShift = shift;
    this.counts.segments++;
    this.counts.videoSamples += video.length;
    this.counts.audioSamples += audio.length;
    this.counts.bytes += total;
    return out.subarray(0, total);
  }

  /**
   * Gives a segment's memory back for later segments (the caller must not touch it
   * afterwards). Takes only views that writeSegment() returned; anything else is ignored.
   */
  recycle(segmentBytes: Uint8Array): void {
    this.buffers.recycle(segmentBytes);
  }

  /** Plans every fragment before anything is written or remembered (a bad sample throws with the muxer unchanged). */
  private plan(
    video: readonly VideoSample[],
    audio: readonly AudioSample[],
    videoEndDts: number | undefined,
    shift: number,
  ): { plans: FragmentPlan[]; audioEnd: number | undefined } {
    let audioEnd = this.audioEnd;
    const starts = [0];
    if (this.perGop) for (let i = 1; i < video.length; i++) if (video[i]!.isSync) starts.push(i);
    const plans: FragmentPlan[] = [];
    let audioFrom = 0;
    for (let k = 0; k < starts.length; k++) {
      const from = starts[k]!;
      const to = k + 1 < starts.length ? starts[k + 1]! : video.length;
      const nextDts = to < video.length ? video[to]!.dts : videoEndDts;
      const v = planVideoRun(video, from, to, nextDts, this.lastVideoDuration, this.video.dropNalType, shift);
      // Audio before the next fragment's sync picture (in presentation time) goes with this one; the last takes the rest.
      let audioTo = audio.length;
      if (to < video.length) {
        const limit = video[to]!.pts;
        audioTo = audioFrom;
        while (audioTo < audio.length && audio[audioTo]!.pts < limit) audioTo++;
      }
      let a: AudioRunPlan | undefined;
      if (audioTo > audioFrom && this.audio) {
        a = planAudioRun(audio, audioFrom, audioTo, this.audio.sampleRateHz, this.audio.samplesPerFrame, audioEnd);
        audioEnd = a.endDecodeTime;
      }
      plans.push({ videoFrom: from, video: v, ...(a ? { audio: a } : {}), audioFrom, moofBytes: moofBytes(v, a) });
      audioFrom = audioTo;
    }
    return { plans, audioEnd };
  }

  /** moof (mfhd, traf video [, traf audio]) then mdat (video bytes, audio bytes). */
  private writeFragment(out: Uint8Array, start: number, f: FragmentPlan, video: readonly VideoSample[], audio: readonly AudioSample[]): number {
    const v = f.video;
    const a = f.audio;
    let at = containerHeader(out, start, f.moofBytes, 'moof');
    at = mfhd(out, at, ++this.sequenceNumber);
    const videoDataOffset = f.moofBytes + MDAT_HEADER_BYTES;
    // traf (video): tfhd, tfdt, trun with duration, size, flags [, composition offset] per sample.
    const vTrunFlags = videoTrunFlags(v);
    at = containerHeader(out, at, videoTrafBytes(v), 'traf');
    at = tfhd(out, at, TrackId.VIDEO, VIDEO_TFHD_FLAGS, {});
    at = tfdt(out, at, v.baseDecodeTime);
    at = trunHeader(out, at, v.hasCompositionOffsets ? 1 : 0, vTrunFlags, v.count, videoDataOffset);
    for (let i = 0; i < v.count; i++) {
      writeU32(out, at, v.durations[i]!);
      writeU32(out, at + 4, v.sizes[i]!);
      writeU32(out, at + 8, v.flags[i]!);
      at += 12;
      if (v.hasCompositionOffsets) {
        writeU32(out, at, v.compositionOffsets[i]!);
        at += 4;
      }
    }
    if (a) {
      // traf (audio): tfhd with default flags (and duration), tfdt, trun with sizes (and durations).
      const aTfhdFlags = audioTfhdFlags(a);
      at = containerHeader(out, at, audioTrafBytes(a), 'traf');
      at = tfhd(out, at, TrackId.AUDIO, aTfhdFlags, { sampleDuration: this.audio!.samplesPerFrame, sampleFlags: SampleFlags.SYNC });
      at = tfdt(out, at, a.baseDecodeTime);
      const aTrunFlags = audioTrunFlags(a);
      at = trunHeader(out, at, 0, aTrunFlags, a.count, videoDataOffset + v.dataBytes);
      for (let i = 0; i < a.count; i++) {
        if (!a.uniformDuration) {
          writeU32(out, at, a.durations[i]!);
          at += 4;
        }
        writeU32(out, at, a.sizes[i]!);
        at += 4;
      }
    }
    // mdat: each picture's NAL units with 4-byte lengths, then the AAC frames.
    at = mdatHeader(out, at, MDAT_HEADER_BYTES + v.dataBytes + (a?.dataBytes ?? 0));
    const drop = this.video.dropNalType;
    for (let i = 0; i < v.count; i++) {
      for (const nal of video[f.videoFrom + i]!.nals) {
        if (nal.byteLength === 0 || drop(nal)) continue;
        writeU32(out, at, nal.byteLength);
        out.set(nal, at + 4);
        at += 4 + nal.byteLength;
      }
    }
    if (a) {
      for (let i = 0; i < a.count; i++) {
        const data = audio[f.audioFrom + i]!.data;
        out.set(data, at);
        at += data.byteLength;
      }
    }
    this.counts.fragments++;
    return at;
  }
}

/**
 * The first segment's earliest presentation time minus its first decode time (the
 * encoder's reorder delay), at least 0. Throws MediaArgumentError past MAX_REORDER_DELAY_TICKS:
 * no encoder holds pictures that long; the timestamps are wrong.
 */
function firstSegmentShift(video: readonly VideoSample[]): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const s of video) if (s.pts < earliest) earliest = s.pts;
  const shift = earliest - video[0]!.dts;
  if (shift > MAX_REORDER_DELAY_TICKS) {
    throw new MediaArgumentError(
      `the first segment's earliest pts is ${shift} ticks after its first dts, more than any encoder's reorder delay (${MAX_REORDER_DELAY_TICKS / 90_000} s): check the timestamps, or pass decodeShiftTicks`,
    );
  }
  return Number.isSafeInteger(shift) && shift > 0 ? shift : 0;
}

function videoTrunFlags(v: VideoRunPlan): number {
  return v.hasCompositionOffsets ? VIDEO_TRUN_FLAGS | TrunFlags.SAMPLE_COMPOSITION_TIME_OFFSET : VIDEO_TRUN_FLAGS;
}

function audioTfhdFlags(a: AudioRunPlan): number {
  return a.uniformDuration ? AUDIO_TFHD_FLAGS | TfhdFlags.DEFAULT_SAMPLE_DURATION : AUDIO_TFHD_FLAGS;
}

function audioTrunFlags(a: AudioRunPlan): number {
  return TrunFlags.DATA_OFFSET | TrunFlags.SAMPLE_SIZE | (a.uniformDuration ? 0 : TrunFlags.SAMPLE_DURATION);
}

function videoTrafBytes(v: VideoRunPlan): number {
  return BOX_HEADER_BYTES + tfhdBytes(VIDEO_TFHD_FLAGS) + TFDT_BYTES + trunBytes(videoTrunFlags(v), v.count);
}

function audioTrafBytes(a: AudioRunPlan): number {
  return BOX_HEADER_BYTES + tfhdBytes(audioTfhdFlags(a)) + TFDT_BYTES + trunBytes(audioTrunFlags(a), a.count);
}

function moofBytes(v: VideoRunPlan, a: AudioRunPlan | undefined): number {
  return BOX_HEADER_BYTES + MFHD_BYTES + videoTrafBytes(v) + (a ? audioTrafBytes(a) : 0);
}
