/** Every segment buffer keeps this much room after the segment: AES-128-CBC PKCS#7 in place adds 1..16 bytes. */
export const FMP4_SEGMENT_SPARE_BYTES = 16;
/** Recycled segment buffers kept for reuse (one being filled, one in the receiver's hands). */
const MAX_POOLED_BUFFERS = 2;
/** Room to spare when allocating: the next segment of a similar size fits a recycled buffer. */
const GROWTH = 1.25;

/**
 * The memory media segments are written into: a buffer of its own per segment, taken back
 * with recycle() and reused when the next segment fits. Memory: at most 2 buffers kept.
 */
export class SegmentBufferPool {
  private readonly pool: Uint8Array[] = [];
  private readonly own = new WeakSet<ArrayBufferLike>();

  /** A buffer of at least `bytes`: a recycled one that fits, else a new one. */
  take(bytes: number): Uint8Array {
    const i = this.pool.findIndex((p) => p.byteLength >= bytes);
    if (i >= 0) return this.pool.splice(i, 1)[0]!;
    // allocUnsafeSlow: a buffer of its own (never a slice of Node's shared pool), so the
    // spare bytes after a segment belong to it and recycle() can take it back whole.
    // A plain Uint8Array view: Buffer's slice() would share memory, a trap for a receiver that copies.
    const b = Buffer.allocUnsafeSlow(Math.ceil(bytes * GROWTH));
    this.own.add(b.buffer);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  /** Takes back a view of a buffer this pool handed out; anything else is ignored. */
  recycle(segmentBytes: Uint8Array): void {
    const whole = fmp4SegmentBuffer(segmentBytes);
    if (!this.own.has(whole.buffer) || this.pool.length >= MAX_POOLED_BUFFERS || this.pool.some((p) => p.buffer === whole.buffer)) return;
    this.pool.push(whole);
  }
}

/** The whole buffer behind a segment returned by Fmp4Muxer.writeSegment() (its spare bytes included). */
export function fmp4SegmentBuffer(segmentBytes: Uint8Array): Uint8Array {
  return new Uint8Array(segmentBytes.buffer, segmentBytes.byteOffset, segmentBytes.buffer.byteLength - segmentBytes.byteOffset);
}
