import { AnnexBSplitter, type NalUnitEvent, type OversizeNalEvent } from '../../../media/bitstream/annexb-splitter.ts';
import type { VideoStage } from './video-stage.ts';

/** Reports a problem with the input: what, the stream offset, and the bytes dropped for it. */
export type InputProblem = (message: string, offset: number, droppedBytes?: number) => void;

/**
 * Annex-B bytes into the video stage: the stream's splitter (any chunking; start codes may
 * straddle chunks), a splitter of its own for each whole access unit handed in, and the
 * problems only bytes show: garbage before the first start code (reported once for the
 * stream, per frame for whole frames) and a NAL unit past maxFrameBytes.
 */
export class AnnexBInput {
  private readonly splitter: AnnexBSplitter;
  private reportedLeadingGarbage = false;
  /** Made once: the splitters of whole frames take these instead of two closures a frame. */
  private readonly onNal = (e: NalUnitEvent): void => this.video.push(e);
  private readonly onOversize = (e: OversizeNalEvent): void => this.onOversizeNal(e);

  constructor(
    private readonly video: VideoStage,
    private readonly maxFrameBytes: number,
    private readonly report: InputProblem,
  ) {
    this.splitter = this.newSplitter();
  }

  /** Bytes of the stream; frames are timed by `arrivalMs`. */
  push(annexBChunk: Uint8Array, arrivalMs: number): void {
    this.splitter.push(annexBChunk, arrivalMs);
  }

  /** Exactly one access unit, split on its own and ended; returns the bytes before its first start code (dropped, for the caller to report). */
  pushFrame(accessUnitAnnexB: Uint8Array, arrivalMs: number): number {
    const splitter = this.newSplitter();
    splitter.push(accessUnitAnnexB, arrivalMs);
    splitter.flush();
    this.video.end();
    return splitter.leadingGarbageBytes;
  }

  /** Ends the NAL unit the stream's splitter holds (bytes not yet ended by a start code). */
  flush(): void {
    this.splitter.flush();
  }

  /** Reports the stream's leading garbage, once. */
  checkLeadingGarbage(): void {
    if (!this.reportedLeadingGarbage && this.splitter.leadingGarbageBytes > 0) {
      this.reportedLeadingGarbage = true;
      this.report(`${this.splitter.leadingGarbageBytes} bytes of garbage before the first start code were dropped`, 0, this.splitter.leadingGarbageBytes);
    }
  }

  /** Bytes of the stream pushed so far. */
  get bytesPushed(): number {
    return this.splitter.bytesPushed;
  }

  /** Stream offset of the oldest pushed byte the splitter still holds. */
  get heldFrom(): number {
    return this.splitter.heldFrom;
  }

  /** Bytes of the stream dropped here: before the first start code, and of NAL units past the limit. */
  get droppedBytes(): number {
    return this.splitter.leadingGarbageBytes + this.splitter.droppedBytes;
  }

  private newSplitter(): AnnexBSplitter {
    return new AnnexBSplitter(this.onNal, this.maxFrameBytes, this.onOversize);
  }

  /** A NAL unit passed maxFrameBytes (its bytes are dropped as they come): the frame it belongs to is corrupt. */
  private onOversizeNal(e: OversizeNalEvent): void {
    // Which frame the NAL belonged to is unknown: the one being assembled is let go too.
    this.video.markCorrupt(
      e.offset,
      0,
      `NAL unit at byte ${e.offset} is over ${this.maxFrameBytes} bytes with no start code (a bad encoder pipe, or raise maxFrameBytes): dropping it`,
    );
    this.video.flush();
  }
}
