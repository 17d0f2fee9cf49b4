import { findStartCodes } from './start-code-finder.ts';

/** A NAL unit as found in the byte stream: payload without start code or trailing zeros. */
export interface NalUnitEvent {
  nal: Uint8Array;
  /** Stream offset of the first byte of the NAL unit (after its start code). */
  offset: number;
  /** Arrival time of the chunk holding its start code. */
  arrivalMs: number;
}

/**
 * Largest NAL unit believed by default: 4 MiB. A level 5.1 IDR at its MinCR (MaxFS 36864 MBs
 * * 384 bytes / 2, H.264 A.3.1) is ~7 MB in theory, but a camera's largest frame is well
 * under 2 MB; a bad encoder pipe (no start code for megabytes) must not hold memory.
 */
export const DEFAULT_MAX_NAL_BYTES = 4 * 1024 * 1024;

/** A NAL unit longer than the cap: its bytes were dropped (reported once, when it ends). */
export interface OversizeNalEvent {
  offset: number;
  droppedBytes: number;
}

/**
 * Streaming Annex-B byte-stream splitter (H.264 and H.265 annex B, one format): finds 3- and
 * 4-byte start codes (00 00 01 / 00 00 00 01) anywhere, including across chunk boundaries,
 * and emits each NAL unit with trailing_zero_8bits removed (a NAL unit never ends in 0x00).
 *
 * A NAL unit that lies inside one chunk is emitted as a view of that chunk (no copy);
 * one that straddles chunks is joined. Bytes before the first start code are garbage:
 * counted in `leadingGarbageBytes` and dropped.
 *
 * Memory: at most `maxNalBytes` of the NAL unit being collected. A longer one is dropped
 * as it grows (counted in `droppedBytes`, `onOversize` called as soon as it passes the
 * cap), and splitting resyncs at the next start code.
 */
export class AnnexBSplitter {
  /** Pieces of the NAL unit being collected; null before the first start code. */
  private parts: Uint8Array[] | null = null;
  private partsBytes = 0;
  private nalOffset = 0;
  private nalArrivalMs = 0;
  /** Zero bytes at the very end of the data seen so far (after the last start code). */
  private zeroRun = 0;
  private streamOffset = 0;
  /** Zeros ending the garbage seen so far: leading zeros if a start code follows, else garbage. */
  private heldZeros = 0;
  leadingGarbageBytes = 0;
  /** Bytes of NAL units dropped for being longer than maxNalBytes. */
  droppedBytes = 0;
  /** The NAL unit being collected passed the cap: its bytes are dropped up to the next start code. */
  private oversize = false;

  constructor(
    private readonly onNal: (e: NalUnitEvent) => void,
    private readonly maxNalBytes: number = DEFAULT_MAX_NAL_BYTES,
    private readonly onOversize: (e: OversizeNalEvent) => void = () => {},
  ) {}

  push(chunk: Uint8Array, arrivalMs = 0): void {
    const len = chunk.byteLength;
    if (len === 0) return;
    const base = this.streamOffset;
    let segStart = 0;
    // Start codes whose 00 00 straddle the previous chunk: 01 at index 0 or 1 here.
    if (this.zeroRun >= 2 && chunk[0] === 1) {
      this.boundary(chunk, 0, 0, base, arrivalMs);
      segStart = 1;
    } else if (this.zeroRun >= 1 && len >= 2 && chunk[0] === 0 && chunk[1] === 1) {
      this.boundary(chunk, 0, 1, base, arrivalMs);
      segStart = 2;
    }
    // A fresh array per chunk: an onNal callback that throws or pushes again cannot leave it half read.
    const starts = findStartCodes(chunk, segStart);
    for (let i = 0; i < starts.length; i++) {
      const p = starts[i]!;
      this.boundary(chunk, segStart, p + 2, base, arrivalMs);
      segStart = p + 3;
    }
    // Keep the tail of the NAL unit being collected.
    if (segStart < len) {
      if (this.parts) {
        this.collect(chunk.subarray(segStart));
      } else {
        // Trailing zeros may be the start of a start code split across chunks: held until known.
        let end = len;
        while (end > segStart && chunk[end - 1] === 0) end--;
        if (end > segStart) {
          this.leadingGarbageBytes += this.heldZeros + (end - segStart);
          this.heldZeros = 0;
        }
        this.heldZeros += len - end;
      }
    }
    let z = 0;
    while (z < len - segStart && chunk[len - 1 - z] === 0) z++;
    this.zeroRun = z === len - segStart && segStart === 0 ? this.zeroRun + z : z;
    this.streamOffset += len;
  }

  /** Bytes pushed so far (the stream offset the next chunk starts at). */
  get bytesPushed(): number {
    return this.streamOffset;
  }

  /**
   * Stream offset of the oldest pushed byte this splitter may still reference (the start
   * of the NAL unit being collected), or bytesPushed when it holds none.
   */
  get heldFrom(): number {
    return this.parts && !this.oversize ? this.nalOffset : this.streamOffset;
  }

  /** End of stream: emit the last NAL unit. */
  flush(): void {
    if (!this.parts) this.leadingGarbageBytes += this.heldZeros;
    this.heldZeros = 0;
    this.emit();
    this.parts = null;
    this.partsBytes = 0;
    this.oversize = false;
    this.zeroRun = 0;
  }

  /** Adds bytes to the NAL unit being collected, or drops them once it is over the cap. */
  private collect(piece: Uint8Array): void {
    const parts = this.parts!;
    if (this.oversize) {
      this.droppedBytes += piece.byteLength;
      return;
    }
    if (this.partsBytes + piece.byteLength > this.maxNalBytes) {
      const dropped = this.partsBytes + piece.byteLength;
      this.droppedBytes += dropped;
      parts.length = 0;
      this.partsBytes = 0;
      this.oversize = true;
      this.onOversize({ offset: this.nalOffset, droppedBytes: dropped });
      return;
    }
    parts.push(piece);
    this.partsBytes += piece.byteLength;
  }

  /** A start code ends at chunk[oneAt] (the 01); data of the current NAL runs to just before it. */
  private boundary(chunk: Uint8Array, segStart: number, oneAt: number, base: number, arrivalMs: number): void {
    if (oneAt > segStart) {
      if (this.parts) {
        this.collect(chunk.subarray(segStart, oneAt));
      } else {
        // Zeros in front of a start code are leading_zero_8bits, not garbage.
        let end = oneAt;
        while (end > segStart && chunk[end - 1] === 0) end--;
        if (end > segStart) this.leadingGarbageBytes += this.heldZeros + (end - segStart);
      }
    }
    this.heldZeros = 0;
    this.emit();
    this.parts = [];
    this.partsBytes = 0;
    this.oversize = false;
    this.nalOffset = base + oneAt + 1;
    this.nalArrivalMs = arrivalMs;
  }

  private emit(): void {
    const parts = this.parts;
    if (!parts || this.oversize) return;
    // Strip trailing zeros (the start code's leading zeros and trailing_zero_8bits), across parts.
    while (parts.length) {
      const last = parts[parts.length - 1]!;
      let end = last.byteLength;
      while (end > 0 && last[end - 1] === 0) end--;
      this.partsBytes -= last.byteLength - end;
      if (end > 0) {
        parts[parts.length - 1] = last.subarray(0, end);
        break;
      }
      parts.pop();
    }
    if (parts.length === 0) return;
    let nal: Uint8Array;
    if (parts.length === 1) {
      nal = parts[0]!;
    } else {
      nal = new Uint8Array(this.partsBytes);
      let o = 0;
      for (const p of parts) {
        nal.set(p, o);
        o += p.byteLength;
      }
    }
    this.onNal({ nal, offset: this.nalOffset, arrivalMs: this.nalArrivalMs });
  }
}
