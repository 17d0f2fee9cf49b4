import type { AssembledUnit } from '../media/video/video-unit.ts';

/** What a source feeds (the Agent implements it). */
export interface MediaInput {
  pushVideo(chunk: Uint8Array, arrivalMs?: number): void;
  /** One access unit; with ptsMs and dtsMs (the source's clock, UTC ms) it keeps both (B-frames welcome). */
  putVideoFrame(accessUnit: Uint8Array, ptsMs?: number, dtsMs?: number): void;
  /** Optional: one access unit as NAL units (no start codes) the source split already: putVideoFrame without splitting it again. */
  putVideoNals?(nals: readonly Uint8Array[], ptsMs?: number, dtsMs?: number): void;
  /** Optional: one access unit as the source's assembler split it (raw files): read without assembling or parsing it again. */
  putVideoAssembled?(unit: AssembledUnit, ptsMs?: number, dtsMs?: number): void;
  pushAudio(chunk: Uint8Array, arrivalMs?: number): void;
  putAudioFrame(frame: Uint8Array, ptsMs?: number): void;
  /** Cut the open segment (stall or close: the next segment is a discontinuity). */
  cutSegment(): void;
  noteSourceError(err: Error): void;
  /** Something about the source worth one log line that is not a failure (audio transcoded, a file ended). */
  noteSourceNotice?(message: string): void;
  /**
   * A small JPEG of the keyframe shown at `tsMs` (UTC ms), from sources that decode
   * keyframes (ffmpeg-fed ones); the input keeps the ones it wants.
   */
  putKeyframePicture?(jpeg: Uint8Array, tsMs: number): void;
  /** Whether a keyframe picture at `tsMs` would be kept: sources that decode on demand (raw files) ask before they decode. */
  wantsKeyframePicture?(tsMs: number): boolean;
}

/** A running source. `stop` resolves once it has released its files / child process. */
export interface MediaSource {
  start(): void;
  stop(): Promise<void>;
}
