import type { MediaInputError } from '../../media/media-error.ts';
import type { ContainerKind, MediaSegment } from './media-segment.ts';
import type { VideoCodec } from './video/video-unit.ts';
import type { SegmentStream } from '../../media/ts/segment-stream.ts';

/**
 * How video frames without timestamps get their time (raw Annex-B carries none). Frames
 * given with a presentation and decode time (putVideoFrame(au, ptsMs, dtsMs)) keep theirs.
 */
export type VideoTiming =
  /** Live: a frame takes the time it arrives (pushVideo) or the capture time given (putVideoFrame(au, ptsMs)). */
  | { readonly kind: 'arrival' }
  /**
   * Files: frame n is at `epochMs + n / fps`. `fps` overrides the SPS VUI frame rate; with
   * neither, pushing video throws UnsupportedStreamError ("pass --fps").
   */
  | { readonly kind: 'frame-rate'; readonly fps?: number; readonly epochMs?: number };

export interface SegmenterOptions {
  /**
   * Segment length: a segment closes at the first IDR at or after this (less half a
   * frame), or earlier when the GOP would carry it past EXT-X-TARGETDURATION (the
   * contract's `targetDurationSeconds` of it). @default 6
   */
  readonly targetSegmentSeconds?: number;
  /**
   * The video codec of the Annex-B input. @default told from the stream's first NAL units
   * (and again after each `closeSegment()`, e.g. a camera switched between H.264 and H.265)
   */
  readonly videoCodec?: VideoCodec;
  /**
   * Segment container: `ts` (MPEG-TS) or `fmp4` (fragmented MP4 with an init section).
   * H.265 is written in fMP4 only: `ts` with an H.265 stream is refused (UnsupportedStreamError).
   * @default `ts` for H.264, `fmp4` for H.265
   */
  readonly container?: ContainerKind;
  /** Mux audio (pushAudio / putAudioFrame); when false audio input is ignored. @default false */
  readonly audio?: boolean;
  /** @default { kind: 'arrival' } */
  readonly videoTiming?: VideoTiming;
  /**
   * A gap between two video frames longer than this closes the open segment; the next one
   * starts at an IDR and is a discontinuity. Only for 'arrival' timing. @default 3000
   */
  readonly maxFrameGapMs?: number;
  /**
   * Largest NAL unit and access unit believed, in bytes; a longer one (a bad encoder pipe)
   * is dropped as it grows, counted, and video resyncs at the next IDR. @default 4 MiB
   */
  readonly maxFrameBytes?: number;
  /**
   * Largest open segment, in bytes. A segment that grows past it without an IDR to
   * close at (an encoder that stopped sending IDRs) is cut there, counted as an input
   * error, and video resyncs at the next IDR. With the frame cap this bounds the
   * segmenter's memory whatever the input. @default 64 MiB
   */
  readonly maxSegmentBytes?: number;
  /**
   * Longest open segment, in seconds, cut the same way when no IDR comes.
   * @default max(5 * targetSegmentSeconds, 30)
   */
  readonly maxSegmentSeconds?: number;
  /** Called synchronously with each finished segment; the receiver owns `seg.bytes`. */
  readonly onSegment: (seg: MediaSegment) => void;
  /**
   * MPEG-TS segments go out in parts as they are muxed (see SegmentStream): each one's
   * parts, its last part, then its onSegment() with empty `bytes` and `streamedBytes` set.
   * fMP4 segments still come whole through onSegment(). For writers that need no segment
   * whole (`camrec segment` writes files); the agent uploads whole segments.
   */
  readonly streamSegments?: SegmentStream;
  /**
   * Called once per encoder configuration with a problem of the stream itself that the
   * camera's settings fix (e.g. a GOP longer than the segment length), to be logged.
   */
  readonly onStreamWarning?: (message: string) => void;
  /** Called for each corrupt-input problem (already counted in stats()); the segmenter resyncs by itself. */
  readonly onInputError?: (err: MediaInputError) => void;
}
