/**
 * A token bucket over bytes, shared by every PUT the agent makes (segments, keys, events,
 * heartbeats), so the link never carries more than `bytesPerSecond` on average.
 *
 * Tokens refill at `bytesPerSecond` up to `burstBytes`. `take(n)` waits, in arrival order,
 * until the bucket is not in debt, then takes `n` (it may overdraw: a chunk larger than
 * the bucket still goes, and the next caller waits the debt off). Callers take what they
 * send in small chunks (see sigv4-object-putter.ts), so the rate holds within a chunk's
 * worth over any window. With no rate set, `take` returns at once and only counts bytes.
 *
 * Memory: the waiters queue holds one entry per PUT in flight (at most
 * upload.concurrency + 1), never one per byte or chunk.
 */
export interface ByteRateLimiterOptions {
  /** Average bytes per second; undefined: no cap. */
  bytesPerSecond?: number;
  /** Largest burst above the rate. @default 1/10 of a second's worth, at least 4 KiB */
  burstBytes?: number;
  /** @default Date.now */
  now?: () => number;
}

/** The window the measured rate is averaged over. */
const MEASURE_WINDOW_MS = 10_000;
const MEASURE_BUCKET_MS = 500;
const MIN_BURST_BYTES = 4096;

export class ByteRateLimiter {
  private rate: number | undefined;
  private burst = MIN_BURST_BYTES;
  private burstOverride: number | undefined;
  private tokens = 0;
  private refilledAtMs: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  /** Bytes sent per MEASURE_BUCKET_MS slot, newest last: [slotStartMs, bytes]. */
  private readonly slots: [number, number][] = [];

  constructor(o: ByteRateLimiterOptions = {}) {
    this.now = o.now ?? Date.now;
    this.refilledAtMs = this.now();
    this.burstOverride = o.burstBytes;
    this.setRate(o.bytesPerSecond);
  }

  /** The cap in bytes per second, or undefined. */
  get bytesPerSecond(): number | undefined {
    return this.rate;
  }

  /** Changes the cap at run time (undefined lifts it); waiters see the new rate at once. */
  setRate(bytesPerSecond: number | undefined): void {
    if (bytesPerSecond !== undefined && !(bytesPerSecond > 0)) throw new RangeError(`a byte rate must be positive, got ${bytesPerSecond}`);
    this.refill();
    this.rate = bytesPerSecond;
    this.burst = this.burstOverride ?? Math.max(MIN_BURST_BYTES, Math.round((bytesPerSecond ?? 0) / 10));
    this.tokens = Math.min(this.tokens, this.burst);
    this.wake?.();
  }

  /** Waits until `bytes` may be sent (arrival order), then counts them. Rejects if `signal` aborts first. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitAndTake(bytes, signal));
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** Average bytes per second sent over the last 10 s. */
  measuredBytesPerSecond(): number {
    const from = this.now() - MEASURE_WINDOW_MS;
    let n = 0;
    for (const [t, b] of this.slots) if (t >= from) n += b;
    return Math.round(n / (MEASURE_WINDOW_MS / 1000));
  }

  private wake: (() => void) | undefined;

  private async waitAndTake(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.refill();
      if (this.rate === undefined || this.tokens >= 0) break;
      const waitMs = Math.max(1, Math.ceil((-this.tokens / this.rate) * 1000));
      // A plain timer and listener held here (AbortSignal.any can be collected early on Node 20).
      await new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', finish);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(finish, waitMs);
        this.wake = finish;
        signal?.addEventListener('abort', finish, { once: true });
      });
    }
    if (this.rate !== undefined) this.tokens -= bytes;
    this.count(bytes);
  }

  private refill(): void {
    const t = this.now();
    if (this.rate !== undefined) this.tokens = Math.min(this.burst, this.tokens + ((t - this.refilledAtMs) / 1000) * this.rate);
    this.refilledAtMs = t;
  }

  private count(bytes: number): void {
    const slot = Math.floor(this.now() / MEASURE_BUCKET_MS) * MEASURE_BUCKET_MS;
    const last = this.slots[this.slots.length - 1];
    if (last && last[0] === slot) last[1] += bytes;
    else this.slots.push([slot, bytes]);
    while (this.slots.length > MEASURE_WINDOW_MS / MEASURE_BUCKET_MS + 1) this.slots.shift();
  }
}
