/** A region of the memory buffer holding one segment's bytes. */
export interface MemorySlot {
  readonly offset: number;
  readonly bytes: number;
}

/**
 * A fixed number of bytes allocated once at start; segments are copied in and freed
 * after S3 confirmed them (or after they were spooled). First-fit over a sorted free
 * list with coalescing; memory use is bounded by `capacityBytes` by construction.
 */
export class MemoryBuffer {
  readonly capacityBytes: number;
  private readonly store: Buffer;
  /** Free ranges sorted by offset, never adjacent (coalesced). */
  private free: { offset: number; bytes: number }[];
  private used = 0;
  private peak = 0;

  constructor(capacityBytes: number) {
    this.capacityBytes = capacityBytes;
    this.store = Buffer.alloc(capacityBytes);
    this.free = [{ offset: 0, bytes: capacityBytes }];
  }

  /** Copies `data` in; undefined when no contiguous range is free. */
  put(data: Uint8Array): MemorySlot | undefined {
    const n = data.length;
    const i = this.free.findIndex((r) => r.bytes >= n);
    if (i < 0 || n === 0) return undefined;
    const r = this.free[i]!;
    const slot = { offset: r.offset, bytes: n };
    if (r.bytes === n) this.free.splice(i, 1);
    else this.free[i] = { offset: r.offset + n, bytes: r.bytes - n };
    this.store.set(data, slot.offset);
    this.used += n;
    this.peak = Math.max(this.peak, this.used);
    return slot;
  }

  /** The slot's bytes (a view, valid until `release`). */
  view(slot: MemorySlot): Buffer {
    return this.store.subarray(slot.offset, slot.offset + slot.bytes);
  }

  release(slot: MemorySlot): void {
    let i = this.free.findIndex((r) => r.offset > slot.offset);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { offset: slot.offset, bytes: slot.bytes });
    this.used -= slot.bytes;
    // Coalesce with the neighbours.
    const next = this.free[i + 1];
    if (next && slot.offset + slot.bytes === next.offset) {
      this.free[i] = { offset: slot.offset, bytes: slot.bytes + next.bytes };
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    const cur = this.free[i]!;
    if (prev && prev.offset + prev.bytes === cur.offset) {
      this.free[i - 1] = { offset: prev.offset, bytes: prev.bytes + cur.bytes };
      this.free.splice(i, 1);
    }
  }

  get usedBytes(): number {
    return this.used;
  }

  get peakUsedBytes(): number {
    return this.peak;
  }

  /** Largest contiguous free range. */
  get largestFreeBytes(): number {
    return this.free.reduce((m, r) => Math.max(m, r.bytes), 0);
  }
}
