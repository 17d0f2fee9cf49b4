import type { MediaSegment, SegmenterStats } from './media-segment.ts';
import type { SegmenterOptions } from './segmenter-options.ts';
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

/**
 * H.264 Annex-B (+ AAC ADTS) in, MPEG-TS segments out. Used by the agent (live, frames
 * timed on arrival) and by `camrec segment` (files, frames timed by frame rate): the same
 * parsers, segmenter and muxer.
 *
 * Memory: the open segment's TS bytes plus the input of the access unit being assembled
 * (pushed chunks are referenced, not copied, until their frame is muxed: do not reuse a
 * chunk's memory after pushing it). Finished segments are handed over and forgotten.
 */
export class LiveSegmenter {
  constructor(readonly options: SegmenterOptions) {
    throw new Error('LiveSegmenter: being implemented');
  }
  /** Bytes of an Annex-B stream (any chunking; start codes may straddle chunks). */
  pushVideo(annexBChunk: Uint8Array, arrivalMs?: number): void {}
  /** Exactly one access unit in Annex-B (start codes included), with its capture time. */
  putVideoFrame(accessUnitAnnexB: Uint8Array, timestampMs?: number): void {}
  /** Bytes of an ADTS stream (any chunking). */
  pushAudio(adtsChunk: Uint8Array, arrivalMs?: number): void {}
  /** Exactly one ADTS frame (header included), with its capture time. */
  putAudioFrame(adtsFrame: Uint8Array, timestampMs?: number): void {}
  /** Audio on/off at run time; takes effect at the next segment (the PMT lists audio per segment). */
  setAudioEnabled(on: boolean): void {}
  /** Cut now after the last complete frame (emits it if it has any frame); the next segment starts at an IDR and is a discontinuity. */
  closeSegment(): void {}
  /** End of input: flush the frame being assembled, then closeSegment(). */
  end(): void {}
  /** The open segment, or undefined when none is open (before the first IDR, or right after a cut). */
  openSegment(): OpenSegmentInfo | undefined { return undefined; }
  stats(): SegmenterStats { return { frames: 0, audioFrames: 0, segments: 0, bytes: 0, inputErrors: 0, droppedBytes: 0, droppedFrames: 0 }; }
}
