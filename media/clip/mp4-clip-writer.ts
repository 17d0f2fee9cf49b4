import type { AudioSample, VideoSample } from '../fmp4/fmp4-input.ts';
import { Fmp4Muxer } from '../fmp4/fmp4-muxer.ts';
import { aacAudioTrack } from '../fmp4/tracks.ts';
import { MediaArgumentError, UnsupportedStreamError } from '../media-error.ts';
import { unwrapNear } from './ts-segment-reader.ts';
import { withMovieDuration } from './movie-duration.ts';
import type { SegmentSamples } from './segment-samples.ts';

const TICKS_PER_MS = 90;

/** Where a segment sits in time: what the index says about it. */
export interface ClipSegmentTiming {
  /** UTC ms of the segment's first picture (its `start-ms`). */
  startMs: number;
  /** The camera's discontinuity sequence: a new value starts a run placed by the wall clock. */
  discSeq: number;
}

export interface Mp4ClipWriterOptions {
  /** UTC ms of the clip's time 0 (the first segment's start). */
  startMs: number;
  /**
   * The clip's length (ms) as the index tells it, written into mvhd and mehd so players show
   * the length before reading a fragment. @default unset (players learn it by reading the fragments)
   */
  durationMs?: number;
  /** Keep the audio track (when the first segment has audio). @default true */
  audio?: boolean;
}

export interface Mp4ClipStats {
  segments: number;
  videoSamples: number;
  audioSamples: number;
  bytes: number;
  /** Runs after the first one: restarts of the camera (discontinuities) inside the clip. */
  discontinuities: number;
  /** Audio frames dropped (before the first picture, overlapping, or in a format the track does not have). */
  droppedAudioFrames: number;
  problems: string[];
}

interface Placed {
  video: VideoSample[];
  audio: AudioSample[];
  run: number;
}

/**
 * Writes one MP4 from recorded segments, streaming, without transcoding: a fragmented MP4
 * with `ftyp` + `moov` (with mvex, and the length in mvhd/mehd) first, then one `moof` +
 * `mdat` per source segment. Progressive download can start at once and memory is bounded
 * by two segments (the one being written waits for the next one's first decode time, so
 * its last picture lasts exactly until the next one starts).
 *
 * Time: a clip is on the wall clock. Within a run of segments with the same discontinuity
 * sequence the camera's own timestamps carry on (unwrapped past 2^33), so frames keep their
 * exact spacing; a new run (a restart) is placed where its first picture was recorded
 * (its startMs against the clip's startMs), so a gap in the recording is a gap in the
 * clip's time, not a jump in frames. A run the wall clock would place before the end of the
 * one before it starts right after it instead. Audio and video share the mapping, so they
 * stay in sync as recorded.
 *
 * The video track comes from the first segment's parameter sets; a segment with other
 * settings throws UnsupportedStreamError (split the clip there). The audio track comes
 * from the first segment's AAC configuration; audio in another configuration is dropped
 * and counted.
 */
export class Mp4ClipWriter {
  private muxer: Fmp4Muxer | undefined;
  private videoConfigKey = '';
  private audioConfigKey: string | undefined;
  private held: Placed | undefined;
  private run = -1;
  private lastDisc: number | undefined;
  /** Added to a segment's (unwrapped) camera ticks to get clip ticks, for the current run. */
  private offset = 0;
  /** The camera's last raw decode time of the run so far (unwrapping the next segment against it). */
  private lastRawDts = 0;
  /** Clip ticks where the last placed segment's pictures end (nothing of a later run starts before). */
  private videoEnd = 0;
  private lastAudioPts = Number.NEGATIVE_INFINITY;
  /** The first segment's reorder delay: its first decode time is the clip's tick 0. */
  private reorder = 0;
  private readonly counts: Mp4ClipStats = { segments: 0, videoSamples: 0, audioSamples: 0, bytes: 0, discontinuities: 0, droppedAudioFrames: 0, problems: [] };

  constructor(private readonly o: Mp4ClipWriterOptions) {
    if (!Number.isSafeInteger(o.startMs)) throw new MediaArgumentError(`clip startMs ${o.startMs} must be whole UTC ms`);
  }

  stats(): Mp4ClipStats {
    return { ...this.counts, problems: [...this.counts.problems] };
  }

  /**
   * Adds the next segment (in recording order). Returns the bytes now ready, in file order:
   * the file's head on the first call, then the previous segment's fragment.
   */
  push(samples: SegmentSamples, timing: ClipSegmentTiming): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (!this.muxer) out.push(this.start(samples));
    else if (samples.videoConfigKey !== this.videoConfigKey) {
      throw new UnsupportedStreamError(
        `the camera's video settings (SPS/PPS) change in the segment at ${new Date(timing.startMs).toISOString()}: a clip keeps one video configuration; make one clip before and one from there`,
      );
    }
    for (const p of samples.problems) this.counts.problems.push(`${new Date(timing.startMs).toISOString()}: ${p}`);
    const placed = this.place(samples, timing);
    if (this.held) out.push(this.write(this.held, placed.run === this.held.run ? placed.video[0]!.dts : undefined));
    this.held = placed;
    this.counts.segments++;
    return out;
  }

  /** The last fragment (nothing when no segment was pushed). */
  finish(): Uint8Array[] {
    if (!this.held) return [];
    const last = this.write(this.held, undefined);
    this.held = undefined;
    return [last];
  }

  private start(first: SegmentSamples): Uint8Array {
    const withAudio = (this.o.audio ?? true) && first.audioConfig !== undefined;
    this.muxer = new Fmp4Muxer({ video: first.videoTrack(), ...(withAudio ? { audio: aacAudioTrack(first.audioConfig!) } : {}), fragments: 'segment' });
    this.videoConfigKey = first.videoConfigKey;
    this.audioConfigKey = withAudio ? JSON.stringify(first.audioConfig) : undefined;
    const v0 = first.video[0]!;
    this.reorder = Math.max(0, Math.min(...first.video.map((v) => v.pts)) - v0.dts);
    const head = this.o.durationMs === undefined ? this.muxer.initSegment : withMovieDuration(this.muxer.initSegment, this.o.durationMs);
    this.counts.bytes += head.byteLength;
    return head;
  }

  /** Maps a segment's camera ticks onto the clip's ticks (see the class comment). */
  private place(s: SegmentSamples, t: ClipSegmentTiming): Placed {
    const first = s.video[0]!;
    const newRun = this.lastDisc === undefined || t.discSeq !== this.lastDisc;
    let wrap = 0;
    if (newRun) {
      this.run++;
      if (this.run > 0) this.counts.discontinuities++;
      // The first picture's pts is the recorded startMs; the clip's tick 0 is the first segment's first dts.
      this.offset = this.reorder + Math.round((t.startMs - this.o.startMs) * TICKS_PER_MS) - first.pts;
      const firstDts = first.dts + this.offset;
      if (firstDts < this.videoEnd) this.offset += this.videoEnd - firstDts;
    } else {
      wrap = unwrapNear(first.dts, this.lastRawDts) - first.dts;
    }
    this.lastDisc = t.discSeq;
    const shift = this.offset + wrap;
    this.lastRawDts = s.video[s.video.length - 1]!.dts + wrap;
    const video = s.video.map((v) => ({ dts: v.dts + shift, pts: v.pts + shift, isSync: v.isSync, nals: v.nals }));
    if (video[0]!.dts < this.videoEnd) {
      throw new MediaArgumentError(
        `the segment at ${new Date(t.startMs).toISOString()} starts before the one before it ends (same discontinuity sequence, overlapping times): the index lists overlapping segments`,
      );
    }
    const last = video[video.length - 1]!;
    this.videoEnd = last.dts + (video.length > 1 ? last.dts - video[video.length - 2]!.dts : 1);
    const audio: AudioSample[] = [];
    const sameAudio = this.audioConfigKey !== undefined && s.audioConfig !== undefined && JSON.stringify(s.audioConfig) === this.audioConfigKey;
    for (const a of s.audio) {
      const pts = a.pts + shift;
      if (!sameAudio || pts < 0 || pts <= this.lastAudioPts) {
        if (this.audioConfigKey !== undefined) this.counts.droppedAudioFrames++;
        continue;
      }
      audio.push({ pts, data: a.data });
      this.lastAudioPts = pts;
    }
    return { video, audio, run: this.run };
  }

  private write(p: Placed, videoEndDts: number | undefined): Uint8Array {
    const seg = this.muxer!.writeSegment({
      video: p.video,
      audio: p.audio,
      ...(videoEndDts !== undefined && videoEndDts > p.video[p.video.length - 1]!.dts ? { videoEndDts } : {}),
    });
    // Drop the styp: inside one file the fragments follow the moov directly.
    const stypBytes = ((seg[0]! << 24) | (seg[1]! << 16) | (seg[2]! << 8) | seg[3]!) >>> 0;
    const fragment = seg.slice(stypBytes);
    this.counts.videoSamples += p.video.length;
    this.counts.audioSamples += p.audio.length;
    this.counts.bytes += fragment.byteLength;
    return fragment;
  }
}
