import type { VideoCodec } from './video/video-unit.ts';

/** The segment container formats camrec writes. */
export type ContainerKind = 'ts' | 'fmp4';
export const ContainerKind = { TS: 'ts', FMP4: 'fmp4' } as const satisfies Record<string, ContainerKind>;

/** An fMP4 initialization section (EXT-X-MAP): ftyp + moov, shared by every segment of one stream configuration. */
export interface InitSection {
  /** 32 lowercase hex digits: the first 16 bytes of the SHA-256 of `bytes` (names the object `init/{deviceId}/{id}.mp4`). */
  readonly id: string;
  readonly bytes: Uint8Array;
}

/**
 * One finished segment, as the segmenter hands it to its receiver (the agent's buffer, or
 * the `camrec segment` file writer). Plain (not yet encrypted) bytes: MPEG-TS, or an fMP4
 * media segment with the init section it needs.
 */
export interface MediaSegment {
  /**
   * Plain MPEG-TS (188-byte packets, PAT+PMT first) or fMP4 (styp, moof, mdat); owned by
   * the receiver (never reused by the segmenter unless given back with
   * LiveSegmenter.recycle()). From LiveSegmenter it starts a buffer of its own with 16 or
   * more spare bytes after it (`segmentBuffer(bytes)`), so it can be encrypted in place
   * (encryptSegmentInPlace).
   */
  bytes: Uint8Array;
  /**
   * Set when the segment went out in parts as it was muxed (SegmenterOptions.streamSegments):
   * its size, all sent to the stream; `bytes` is then empty.
   */
  streamedBytes?: number;
  /** `ts` or `fmp4`. */
  container: ContainerKind;
  /** fMP4: the init section (EXT-X-MAP) the segment needs; the same object (and id) for every segment of one stream configuration. */
  init?: InitSection;
  videoCodec: VideoCodec;
  /** UTC ms of the first video frame. */
  startMs: number;
  /** From the first video frame to the end of the last one, in ms. */
  durationMs: number;
  /** RFC 6381 codecs, e.g. `avc1.64001f`, `avc1.64001f,mp4a.40.2` or `hvc1.1.6.L93.B0,mp4a.40.2`. */
  codecs: string;
  width: number;
  height: number;
  /** True for the first segment after start, after a gap or cut, or after an encoder (SPS) or codec change. */
  discontinuity: boolean;
  videoFrames: number;
  hasAudio: boolean;
}

/** Counters a segmenter reports through `stats()`. All only ever grow. */
export interface SegmenterStats {
  /** Video access units muxed into segments. */
  frames: number;
  /** Audio (ADTS) frames muxed into segments. */
  audioFrames: number;
  segments: number;
  /** Plain bytes of all emitted segments. */
  bytes: number;
  /** Input problems found (garbage, broken NAL units, start mid-GOP, bad ADTS, ...): one per resync. */
  inputErrors: number;
  /** Input bytes thrown away while resyncing (garbage and dropped access units / audio frames). */
  droppedBytes: number;
  /** Video access units thrown away (before the first IDR, or after an error until the next IDR). */
  droppedFrames: number;
}

/** The open (not yet finished) segment, for event pre-record. */
export interface OpenSegmentInfo {
  /** UTC ms of its first video frame. */
  startMs: number;
  /** ms from its first frame to the end of the last frame muxed so far. */
  durationMs: number;
  /** Bytes written (TS) or held (fMP4) so far. */
  bytes: number;
  videoFrames: number;
}
