/** Pictures waiting for their presentation time, at most (a stream whose POCs never let one out is flushed). */
const MAX_WAITING_PICTURES = 64;

interface Waiting<T> {
  item: T;
  dts: number;
  poc: number;
  /** Presentation time, once known. */
  pts: number | undefined;
  /** Both times are handed on this much earlier (the reorder delay). */
  lead: number;
}

/**
 * Presentation times for pictures that come without them (raw H.265 from a file or a
 * pipe) but with their picture order count: a decoder's output process (H.265 C.5.2,
 * "bumping") run on decode times. Pictures come in decode order with a decode time each;
 * once more than `maxReorder` (sps_max_num_reorder_pics) wait, the one with the lowest
 * POC is output, at the decode time of the picture that pushed it out. With frame-rate
 * timing that is exactly `first + (output index + maxReorder) * frame`: B-frames get their
 * place and pts >= dts always holds. Both times are then handed on `maxReorder` frames
 * earlier, so the first picture shown is shown at the first decode slot's time, where an
 * encoder's frame 0 was (and where a file's audio starts): decode times lead. A picture
 * that starts a coded video sequence (IDR, BLA, a starting CRA) first outputs everything
 * waiting, one frame apart after the last decode time, as `flush()` does.
 *
 * Pictures leave in decode order (what muxers need), each as soon as it and every picture
 * before it has its time: at most a GOP's reordering of latency. Memory: at most 64
 * pictures (views, not copies).
 */
export class PocReorder<T> {
  private readonly waiting: Waiting<T>[] = [];
  private lastDts = 0;

  constructor(private readonly emit: (item: T, pts: number, dts: number) => void) {}

  /** Pictures not yet handed on. */
  get size(): number {
    return this.waiting.length;
  }

  /** Items not yet handed on, oldest first. */
  items(): T[] {
    return this.waiting.map((w) => w.item);
  }

  push(item: T, dts: number, poc: number, startsSequence: boolean, maxReorder: number, frameTicks: number): void {
    if (startsSequence || this.waiting.length >= MAX_WAITING_PICTURES) this.flush(frameTicks);
    this.waiting.push({ item, dts, poc, pts: undefined, lead: Math.round(maxReorder * frameTicks) });
    this.lastDts = dts;
    let unassigned = 0;
    for (const w of this.waiting) if (w.pts === undefined) unassigned++;
    while (unassigned > maxReorder) {
      this.lowestUnassigned()!.pts = dts;
      unassigned--;
    }
    this.release();
  }

  /** Everything waiting gets its time (lowest POC first, one frame apart after the last decode time) and leaves. */
  flush(frameTicks: number): void {
    let k = 1;
    for (let w = this.lowestUnassigned(); w; w = this.lowestUnassigned()) w.pts = this.lastDts + Math.round(k++ * frameTicks);
    this.release();
  }

  private lowestUnassigned(): Waiting<T> | undefined {
    let low: Waiting<T> | undefined;
    for (const w of this.waiting) if (w.pts === undefined && (!low || w.poc < low.poc)) low = w;
    return low;
  }

  private release(): void {
    while (this.waiting.length && this.waiting[0]!.pts !== undefined) {
      const w = this.waiting.shift()!;
      this.emit(w.item, Math.max(w.pts!, w.dts) - w.lead, w.dts - w.lead);
    }
  }
}
