/**
 * Every segment buffer keeps this much room after the last packet: a receiver can
 * encrypt the segment in place (AES-128-CBC PKCS#7 adds 1..16 bytes).
 */
export const SEGMENT_SPARE_BYTES = 16;
/** The bridge: the largest buffer a segment outgrew, up to this size (the first segment's growth leaves 1-2 MB). */
const MAX_BRIDGE_BYTES = 4 * 1024 * 1024;
/** Given-back segment buffers kept for reuse (one being filled, one in the receiver's hands). */
const MAX_POOLED_BUFFERS = 2;
export const EMPTY_BUFFER = new Uint8Array(0);

/**
 * The memory TsMuxer writes segments into: buffers it allocated, buffers given back by the
 * receiver (`recycle()`), and a bridge. When no buffer has come back by the time a segment
 * ends (its predecessor is still being written), the next segment starts in the bridge (the
 * largest buffer a segment outgrew, up to MAX_BRIDGE_BYTES), and moves into a given-back
 * buffer as soon as it outgrows the bridge and one is there: a receiver that gives each
 * segment back before the next one passes the bridge's size (`camrec segment`, the agent)
 * keeps one segment buffer, not two.
 *
 * Memory: the open segment's buffer, at most 2 given-back buffers, and the bridge.
 */
export class SegmentBuffers {
  /** Buffers allocated here (recycle() takes back only these). */
  private readonly own = new WeakSet<ArrayBufferLike>();
  /**
   * Buffers given back, made with an element so its elements are object-kind from the start:
   * the first recycle() would otherwise change the array's hidden class, and with it the
   * type V8 recorded for this field, throwing away optimized code (TsMuxer's writePes, which
   * inlines growth) that relies on it.
   */
  private readonly pool: Uint8Array[] = [EMPTY_BUFFER];
  /** EMPTY_BUFFER when there is none. */
  private bridge: Uint8Array = EMPTY_BUFFER;

  constructor() {
    this.pool.pop();
  }

  /** A fresh buffer of `bytes` (see newSegmentBuffer). */
  allocate(bytes: number): Uint8Array {
    const b = newSegmentBuffer(bytes);
    this.own.add(b.buffer);
    return b;
  }

  /** Where the next segment starts: a given-back buffer, else the bridge, else a fresh one of `freshBytes`. */
  next(freshBytes: number): Uint8Array {
    const pooled = this.pool.pop();
    if (pooled) return pooled;
    const b = this.bridge;
    if (b.byteLength > 0) {
      this.bridge = EMPTY_BUFFER;
      return b;
    }
    return this.allocate(freshBytes);
  }

  /**
   * A buffer for a segment that outgrew `outgrown`: the smallest given-back one of `need`
   * bytes or more, else a fresh one of `freshBytes`. The caller copies the segment over;
   * `outgrown` becomes the bridge if it is the largest small one so far.
   */
  grow(outgrown: Uint8Array, need: number, freshBytes: number): Uint8Array {
    let at = -1;
    for (let i = 0; i < this.pool.length; i++) {
      const b = this.pool[i]!;
      if (b.byteLength >= need && (at < 0 || b.byteLength < this.pool[at]!.byteLength)) at = i;
    }
    const next = at < 0 ? this.allocate(freshBytes) : this.pool.splice(at, 1)[0]!;
    if (outgrown.byteLength <= MAX_BRIDGE_BYTES && outgrown.byteLength > this.bridge.byteLength && this.own.has(outgrown.buffer)) this.bridge = outgrown;
    return next;
  }

  /**
   * Takes a finished segment's memory back (the caller must not touch it afterwards). Only
   * views that start a buffer allocated here and not `inUse`; anything else is ignored.
   */
  recycle(segmentBytes: Uint8Array, inUse: Uint8Array): void {
    const whole = segmentBuffer(segmentBytes);
    if (!whole || !this.own.has(whole.buffer) || whole.buffer === inUse.buffer || this.pool.length >= MAX_POOLED_BUFFERS) return;
    if (whole.buffer === this.bridge.buffer || this.pool.some((p) => p.buffer === whole.buffer)) return;
    this.pool.push(whole);
  }
}

/**
 * A segment buffer: a plain Uint8Array over memory of its own. allocUnsafeSlow: never a slice of
 * Node's shared pool, so the spare bytes after a segment belong to it and recycle() can take
 * it back whole; not zero-filled (every byte is written before it is handed out). Always a
 * Uint8Array, never a Buffer: TsMuxer's `buf` then has one shape whether fresh or recycled
 * (segmentBuffer() gives back Uint8Arrays), so V8's optimized writePes stays valid, and its
 * fill() is the TypedArray builtin, not Buffer's JavaScript fill (argument checks and
 * encodings), which V8 would otherwise inline and compile into writePes.
 */
function newSegmentBuffer(bytes: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, bytes);
}

/**
 * The whole buffer a segment view from TsMuxer.finishSegment() lives in (the segment
 * is its first `bytes.byteLength` bytes; SEGMENT_SPARE_BYTES or more follow), or
 * undefined for a view that does not start its buffer.
 */
export function segmentBuffer(segmentBytes: Uint8Array): Uint8Array | undefined {
  if (segmentBytes.byteOffset !== 0 || segmentBytes.buffer.byteLength < segmentBytes.byteLength + SEGMENT_SPARE_BYTES) return undefined;
  return new Uint8Array(segmentBytes.buffer, 0, segmentBytes.buffer.byteLength);
}
