import { LiveSegmenter } from '../media/live-segmenter.ts';
import type { MediaSegment, SegmenterStats } from '../media/media-segment.ts';
import type { SegmenterOptions } from '../media/segmenter-options.ts';
import type { AssembledUnit } from '../media/video/video-unit.ts';

/** The part of device/media's LiveSegmenter the agent uses (a seam for tests). */
export interface SegmenterPort {
  pushVideo(chunk: Uint8Array, arrivalMs?: number): void;
  putVideoFrame(accessUnit: Uint8Array, ptsMs?: number, dtsMs?: number): void;
  /** Optional: one access unit as NAL units the caller split (LiveSegmenter.putVideoNals); else putVideoFrame gets them joined. */
  putVideoNals?(nals: readonly Uint8Array[], ptsMs?: number, dtsMs?: number): void;
  /** Optional: one access unit a source's assembler split (LiveSegmenter.putVideoAssembled); else putVideoNals / putVideoFrame gets its units. */
  putVideoAssembled?(unit: AssembledUnit, ptsMs?: number, dtsMs?: number): void;
  pushAudio(chunk: Uint8Array, arrivalMs?: number): void;
  putAudioFrame(frame: Uint8Array, ptsMs?: number): void;
  setAudioEnabled(on: boolean): void;
  /** Optional: audio is on its way (a transcoder starting); video waits a little for its first frame. */
  expectAudio?(): void;
  closeSegment(): void;
  end(): void;
  stats(): SegmenterStats;
  /**
   * Optional: gives a finished segment's bytes back once they were encrypted in place and
   * copied to the memory buffer or spool, so later segments reuse that memory.
   */
  recycle?(bytes: Uint8Array): void;
}

export type SegmenterFactory = (options: SegmenterOptions) => SegmenterPort;

export const liveSegmenterFactory: SegmenterFactory = (options) => new LiveSegmenter(options);

export type { MediaSegment, SegmenterOptions };
