import { ADTS_HEADER_BYTES, parseAdtsHeader, type AdtsHeader } from './adts-header.ts';

export interface AdtsFrameEvent {
  /** The whole ADTS frame, header included (muxed into TS as-is). */
  frame: Uint8Array;
  header: AdtsHeader;
  offset: number;
  arrivalMs: number;
}

/**
 * Streaming ADTS parser: any chunking.
 *
 * Sync: a header whose fixed fields (object type, sample rate, channels) match the frame
 * before it is believed at once. Any other header (the first one, one after garbage with
 * a new config, a genuine config change) is believed only when the header right after
 * its frame agrees with it; then the parser re-locks onto that config. So a plausible fake
 * header in garbage cannot lock out the real stream, and a real config change is followed
 * within one frame. Skipped bytes are counted in droppedBytes, one error per resync.
 *
 * Memory: keeps at most one partial frame plus the next header (< 8 KB + 7 bytes) between
 * pushes. At end of stream (flush) a last unconfirmed frame that ends exactly there is
 * believed.
 */
export class AdtsParser {
  private pending: Uint8Array = new Uint8Array(0);
  private pendingOffset = 0;
  private pendingArrivalMs = 0;
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
    const i = this.scan(data, this.pendingOffset, arrivalMs, false);
    this.pending = data.slice(i);
    this.pendingOffset += i;
    this.pendingArrivalMs = arrivalMs;
  }

  /** End of stream: a last unconfirmed whole frame is believed; a partial frame left over is dropped and counted. */
  flush(): void {
    const data = this.pending;
    const i = this.scan(data, this.pendingOffset, this.pendingArrivalMs, true);
    const rest = data.byteLength - i;
    if (rest > 0) {
      this.droppedBytes += rest;
      if (!this.inGarbage) {
        this.errors++;
        this.onError(`ADTS stream ends inside a frame (${rest} bytes dropped)`, this.pendingOffset + i);
      }
    }
    this.pending = new Uint8Array(0);
    this.pendingOffset += data.byteLength;
    this.inGarbage = false;
  }

  /**
   * Emits the frames in `data` (stream offset `base`); returns where the unread rest
   * starts. `final`: no more bytes will come, so a frame cannot wait for its successor.
   */
  private scan(data: Uint8Array, base: number, arrivalMs: number, final: boolean): number {
    const len = data.byteLength;
    let i = 0;
    while (i + ADTS_HEADER_BYTES <= len) {
      const h = parseAdtsHeader(data, i);
      if (h) {
        const end = i + h.frameBytes;
        if (this.matchesLast(h)) {
          if (end > len) {
            if (final) return i; // a partial last frame: flush counts it
            break; // wait for the rest
          }
          this.accept(data, i, h, base, arrivalMs);
          i = end;
          continue;
        }
        // A header with a config not locked yet: confirmed by the next frame's header.
        if (end + ADTS_HEADER_BYTES > len && !final) break; // wait for the next header
        const next = end + ADTS_HEADER_BYTES <= len ? parseAdtsHeader(data, end) : undefined;
        if ((next && sameConfig(h, next)) || (final && end === len)) {
          this.accept(data, i, h, base, arrivalMs);
          i = end;
          continue;
        }
      }
      if (!this.inGarbage) {
        this.inGarbage = true;
        this.errors++;
        this.onError(`ADTS stream out of sync at byte ${base + i} (garbage or a damaged frame); skipping to the next frame header`, base + i);
      }
      this.droppedBytes++;
      i++;
    }
    return i;
  }

  private accept(data: Uint8Array, i: number, h: AdtsHeader, base: number, arrivalMs: number): void {
    this.inGarbage = false;
    this.last = h;
    this.onFrame({ frame: data.subarray(i, i + h.frameBytes), header: h, offset: base + i, arrivalMs });
  }

  /** A header is believed at once only when its fixed part matches the locked stream's. */
  private matchesLast(h: AdtsHeader): boolean {
    return this.last !== undefined && sameConfig(this.last, h);
  }
}

/** Same fixed header fields: object type, sample rate, channels (guards against 0xFFF in garbage). */
function sameConfig(a: AdtsHeader, b: AdtsHeader): boolean {
  return a.sampleRateHz === b.sampleRateHz && a.channels === b.channels && a.audioObjectType === b.audioObjectType;
}
