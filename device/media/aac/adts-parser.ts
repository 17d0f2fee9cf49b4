import { ADTS_HEADER_BYTES, parseAdtsHeader, type AdtsHeader } from './adts-header.ts';

export interface AdtsFrameEvent {
  /** The whole ADTS frame, header included (muxed into TS as-is). */
  frame: Uint8Array;
  header: AdtsHeader;
  offset: number;
  arrivalMs: number;
}

/**
 * Streaming ADTS parser: any chunking. Garbage between frames is skipped up to the next
 * header whose fixed fields match the last good frame (counted in droppedBytes, one
 * error per resync). Keeps at most one partial frame (< 8 KB) between pushes.
 */
export class AdtsParser {
  private pending: Uint8Array = new Uint8Array(0);
  private pendingOffset = 0;
  private last?: AdtsHeader;
  private inGarbage = false;
  droppedBytes = 0;
  errors = 0;

  constructor(
    private readonly onFrame: (e: AdtsFrameEvent) => void,
    private readonly onError: (message: string, offset: number) => void = () => {},
  ) {}

  push(chunk: Uint8Array, arrivalMs = 0): void {
    let data: Uint8Array;
    if (this.pending.byteLength) {
      data = new Uint8Array(this.pending.byteLength + chunk.byteLength);
      data.set(this.pending, 0);
      data.set(chunk, this.pending.byteLength);
    } else {
      data = chunk;
    }
    const base = this.pendingOffset;
    let i = 0;
    while (i + ADTS_HEADER_BYTES <= data.byteLength) {
      const h = parseAdtsHeader(data, i);
      if (h && this.matchesLast(h)) {
        if (i + h.frameBytes > data.byteLength) break; // wait for the rest
        this.inGarbage = false;
        this.last = h;
        this.onFrame({ frame: data.subarray(i, i + h.frameBytes), header: h, offset: base + i, arrivalMs });
        i += h.frameBytes;
        continue;
      }
      if (!this.inGarbage) {
        this.inGarbage = true;
        this.errors++;
        this.onError(`ADTS stream out of sync at byte ${base + i} (garbage or a damaged frame); skipping to the next frame header`, base + i);
      }
      this.droppedBytes++;
      i++;
    }
    this.pending = data.slice(i);
    this.pendingOffset = base + i;
  }

  /** End of stream: a partial frame left over is dropped and counted. */
  flush(): void {
    if (this.pending.byteLength) {
      this.errors++;
      this.droppedBytes += this.pending.byteLength;
      this.onError(`ADTS stream ends inside a frame (${this.pending.byteLength} bytes dropped)`, this.pendingOffset);
    }
    this.pending = new Uint8Array(0);
  }

  /** A header is believed when its fixed part matches the stream's (guards against 0xFFF in garbage). */
  private matchesLast(h: AdtsHeader): boolean {
    const l = this.last;
    return !l || (l.sampleRateHz === h.sampleRateHz && l.channels === h.channels && l.audioObjectType === h.audioObjectType);
  }
}
