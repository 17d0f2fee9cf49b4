interface PooledBuffer {
  buf: Uint8Array;
  /** Stream range [start, end) last read into it; end = Infinity while a read is pending. */
  start: number;
  end: number;
}

/**
 * Fixed-size read buffers reused by stream position: a buffer is handed out again only
 * when every byte last read into it lies before `heldFrom` (the oldest byte the consumer
 * still references). Memory: at most `maxBuffers` pooled buffers; when none is free a
 * fresh, unpooled one is returned (and left to the garbage collector).
 */
export class ReadBufferPool {
  private readonly pool: PooledBuffer[] = [];
  private readonly byBuffer = new Map<Uint8Array, PooledBuffer>();

  constructor(
    private readonly bufferBytes: number,
    private readonly maxBuffers: number,
  ) {}

  /** A buffer to read stream bytes from `readAt` into; `heldFrom` is the consumer's oldest referenced offset. */
  take(heldFrom: number, readAt: number): Uint8Array {
    for (const p of this.pool) {
      if (p.end <= heldFrom && p.end <= readAt) {
        p.end = Infinity;
        return p.buf;
      }
    }
    const buf = Buffer.allocUnsafeSlow(this.bufferBytes);
    if (this.pool.length < this.maxBuffers) {
      const p = { buf, start: readAt, end: Infinity };
      this.pool.push(p);
      this.byBuffer.set(buf, p);
    }
    return buf;
  }

  /** Records the stream range just read into `buf`. */
  filled(buf: Uint8Array, start: number, end: number): void {
    const p = this.byBuffer.get(buf);
    if (p) {
      p.start = start;
      p.end = end;
    }
  }

  get pooledBuffers(): number {
    return this.pool.length;
  }
}
