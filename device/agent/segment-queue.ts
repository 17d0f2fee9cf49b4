/** One step of the pipeline; a segment's step holds `bytes` until it has run (0 for control steps). */
interface Step {
  readonly run: () => Promise<void>;
  readonly bytes: number;
  readonly segment: boolean;
}

export interface SegmentQueueOptions {
  /** Segment bytes in the queue at most, waiting or being committed (one segment is always taken, whatever its size). */
  readonly maxBytes: number;
  /** A step threw: the queue goes on with the next one. */
  readonly onError: (err: Error) => void;
}

/**
 * The agent's one ordered pipeline after the segmenter: each finished segment (encrypt,
 * recording policy, number, backlog) and the small control steps that must keep their
 * place among segments (an event's start record ahead of its pre-record segments, held
 * segments let go after a mode change, the uploader stopped after a privacy pause). One
 * step runs at a time, in the order queued, never inside the caller's own call.
 *
 * Bounded by construction: the segments in the queue, waiting or being committed, hold at
 * most `maxBytes` (or one segment, if a single one is bigger). A segment that would go
 * past it is not queued: `offerSegment` returns false and the caller DROPS it, counts it
 * (`segmentsDropped`) and logs why. On a live camera committing only falls that far behind
 * when the disk stalls (an fsync that hangs, a dying card): dropped, not spooled, because
 * the spool is on that same disk, and the next segment recorded after the gap starts a
 * discontinuity. Control steps carry no media and always queue.
 */
export class SegmentQueue {
  private readonly steps: Step[] = [];
  private segments = 0;
  private bytes = 0;
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: SegmentQueueOptions) {
    if (!(o.maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${o.maxBytes}`);
  }

  /** Segments in the queue now (waiting or being committed). */
  get segmentsIn(): number {
    return this.segments;
  }

  /** Their bytes; at most `maxBytes` (or one segment's). */
  get bytesIn(): number {
    return this.bytes;
  }

  get maxBytes(): number {
    return this.o.maxBytes;
  }

  /** Queues the step of a segment of `bytes`; false (nothing queued) when that would pass `maxBytes`. */
  offerSegment(bytes: number, run: () => Promise<void>): boolean {
    if (this.segments > 0 && this.bytes + bytes > this.o.maxBytes) return false;
    this.segments++;
    this.bytes += bytes;
    this.push({ run, bytes, segment: true });
    return true;
  }

  /** Queues a control step (always taken). */
  run(run: () => Promise<void>): void {
    this.push({ run, bytes: 0, segment: false });
  }

  /** Resolves once every step queued so far has run. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private push(step: Step): void {
    this.steps.push(step);
    if (this.running) return;
    this.running = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // never run a step inside the caller's call (the segmenter's callback, a control request)
    for (let step = this.steps.shift(); step; step = this.steps.shift()) {
      try {
        await step.run();
      } catch (err) {
        this.o.onError(err as Error);
      } finally {
        if (step.segment) this.segments--;
        this.bytes -= step.bytes;
      }
    }
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
