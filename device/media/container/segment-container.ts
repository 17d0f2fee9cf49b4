import type { AdtsHeader } from '../../../media/aac/adts-header.ts';
import type { QueuedAudio } from '../audio/audio-queue.ts';
import type { ContainerKind, InitSection } from '../media-segment.ts';
import type { VideoConfig, VideoUnit } from '../video/video-unit.ts';

// The container kinds and the init section are named in media-segment.ts (the segment every stage hands on), below this folder.
export { ContainerKind, type InitSection } from '../media-segment.ts';

/** What a container hands back for one finished segment. */
export interface ContainerSegment {
  /**
   * The segment, plain; a view at the start of a buffer with >= 16 spare bytes after it
   * (encrypt in place). Empty when the container streamed it (see SegmentStream).
   */
  readonly bytes: Uint8Array;
  /** Set when the container streamed the segment: its size. */
  readonly streamedBytes?: number;
  /** fMP4: the init section these bytes need. */
  readonly init?: InitSection;
}

/**
 * The muxing stage, one segment at a time, behind one interface for MPEG-TS (`ts-container.ts`)
 * and fragmented MP4 (`fmp4-container.ts`). The segmenter decides what goes into which
 * segment; the container only writes it.
 */
export interface SegmentContainer {
  readonly kind: ContainerKind;
  /** Bytes the open segment holds so far (for the maxSegmentBytes cap). */
  readonly bytes: number;
  /** At most how many bytes `u` adds to the segment (checked against the cap before it goes in). */
  bytesFor(u: VideoUnit): number;
  /** Stream offset of the oldest input byte the open segment still references (fMP4 keeps views until it finishes), or Infinity. */
  readonly heldFrom: number;
  /**
   * Starts a segment for this video configuration, with AAC audio when `audio` is given;
   * `audioMayJoin`: addAudio() may follow (a streaming container holds the segment until then).
   */
  begin(video: VideoConfig, audio: AdtsHeader | undefined, audioMayJoin?: boolean): void;
  /** Audio joins the open segment (its first frame came after the segment opened). */
  addAudio(audio: AdtsHeader): void;
  /** One picture, in decode order; `first` for the segment's first (its key frame). */
  writeVideo(u: VideoUnit, pts: number, dts: number, first: boolean): void;
  /** ADTS frames (headers included) in presentation order. */
  writeAudio(frames: readonly QueuedAudio[]): void;
  /** Ends the segment; `endDts` is the next picture's decode time (the last picture's duration). */
  finish(endDts: number): ContainerSegment;
  /** Throws the open segment away (a refused stream). */
  discard(): void;
  /** Takes back a finished segment's memory for later segments (ignored if it is not one of ours). */
  recycle(bytes: Uint8Array): void;
}
