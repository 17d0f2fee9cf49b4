import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentCounters } from '../core/agent-counters.ts';
import { SpoolError, UploadError, UploadProblem } from '../core/agent-errors.ts';
import type { UploadBlocker } from '../core/agent-status.ts';
import type { Logger } from '../core/json-logger.ts';
import type { Backlog, BacklogEntry } from '../buffer/backlog.ts';
import { fullJitterDelayMs } from '../core/backoff.ts';
import type { BacklogWindows } from '../link/backlog-windows.ts';
import type { ByteRateLimiter } from '../link/byte-rate-limiter.ts';
import type { ObjectPutter } from '../core/object-putter.ts';
import { ItemKind } from '../core/upload-item.ts';

export interface UploaderOptions {
  /** PUTs in flight at once; memory read by PUTs is bounded by the entries in flight. */
  concurrency: number;
  retryBaseMs: number;
  retryMaxMs: number;
  counters: AgentCounters;
  log: Logger;
  onError?: (err: Error) => void;
  /** What keeps objects from landing (a wrong setting, a refusal, a disk that will not read), or null once a PUT succeeds. */
  onProblem?: (p: UploadBlocker | null) => void;
  now?: () => number;
  random?: () => number;
  /**
   * The link's byte cap (the putter paces its PUTs with it). While it is set, one segment
   * is on the wire at a time (two would only split the capped rate), and the next one is
   * the newest: live video gets the link first and, while the camera records faster than
   * the cap, the backlog waits in the spool.
   */
  limiter?: ByteRateLimiter;
  /** When the backlog may drain (live segments, keys and events always go). @default any time */
  windows?: BacklogWindows;
}

/**
 * `concurrency` workers pull from one Backlog (so work is bounded by construction). The
 * retry policy lives here alone: a retryable failure releases the entry and pauses all
 * workers for a jittered, doubling delay (the network or S3 is down for everyone); a
 * success resets it. A 412 on a retry is success: an earlier attempt landed.
 *
 * Nothing is dropped here: every failed PUT is kept and retried, whatever S3 answered (a
 * wrong bucket, region or permission is logged as an error and reported through
 * `onProblem` until a PUT lands); an entry whose spool file cannot be read is kept and
 * read again, unless it is proven corrupt (bad header, checksum mismatch), the one case
 * where it is deleted, counted and logged.
 *
 * Live first: keys, events and the live segment may always go; the newest segment goes
 * before older ones. Backlog segments (older ones waiting) go only inside `windows`; on a
 * capped link one segment is on the wire at a time. A worker held back sleeps until a PUT
 * ends, the backlog changes, an entry's retry time comes or a window opens.
 */
export class Uploader {
  private abort = new AbortController();
  private workers: Promise<void>[] = [];
  private failures = 0;
  private pauseUntilMs = 0;
  private segmentsInFlight = 0;
  /**
   * Workers held back (see `idle`): called when a PUT ends, the link settings change or the
   * uploader stops, so they look again. Plain callbacks: an AbortController per wake-up
   * built a DOMException (with its stack) at every abort() call.
   */
  private readonly idlers = new Set<() => void>();
  private readonly now: () => number;

  constructor(
    private readonly backlog: Backlog,
    private readonly putter: ObjectPutter,
    private readonly o: UploaderOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  /** Starts the workers (again, after `stop`). */
  start(): void {
    if (this.workers.length) return;
    this.stopping = false;
    this.abort = new AbortController();
    this.wakeAll = new AbortController();
    for (let i = 0; i < this.o.concurrency; i++) this.workers.push(this.work());
  }

  /** Stops taking work; aborts PUTs still running after `graceMs` (they stay queued). */
  async stop(graceMs = 0): Promise<void> {
    this.stopping = true;
    this.wakeAll.abort();
    this.wakeIdle();
    const all = Promise.all(this.workers);
    if (graceMs > 0) await Promise.race([all, sleep(graceMs)]);
    this.abort.abort();
    await all;
    this.workers = [];
  }

  /**
   * Resolves true once nothing is queued or in flight, false after `timeoutMs`. Waits on
   * the backlog's change signal (every add, release and removal), not on a timer.
   */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.backlog.count === 0) return true;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), Math.max(0, timeoutMs));
    try {
      while (this.backlog.count > 0) {
        if (timeout.signal.aborted) return false;
        await this.backlog.changed(timeout.signal);
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  private stopping = false;
  private wakeAll = new AbortController();

  private async work(): Promise<void> {
    while (!this.stopping) {
      const wait = this.pauseUntilMs - this.now();
      if (wait > 0) {
        await sleep(wait, undefined, { signal: this.wakeAll.signal }).catch(() => {});
        continue;
      }
      const windowOpen = this.o.windows?.isOpen(this.now()) ?? true;
      const linkFree = this.o.limiter?.bytesPerSecond === undefined || this.segmentsInFlight === 0;
      const e = this.backlog.take(this.now(), { backlog: windowOpen, segments: linkFree });
      if (!e) {
        // Nothing ready: wait for a change, a PUT to end, an entry's own retry time or a window.
        const next = this.backlog.nextRetryAtMs();
        const waits = [
          next === undefined ? undefined : Math.max(1, next - this.now()),
          windowOpen ? undefined : this.o.windows!.msUntilOpen(this.now()),
        ].filter((x): x is number => x !== undefined);
        await this.idle(waits.length ? Math.min(...waits) : undefined);
        continue;
      }
      const segment = e.item.kind === ItemKind.SEGMENT;
      if (segment) this.segmentsInFlight++;
      try {
        await this.attempt(e);
      } finally {
        if (segment) this.segmentsInFlight--;
        this.wakeIdle();
      }
    }
  }

  private blocker: UploadBlocker | null = null;

  private report(kind: UploadBlocker['kind'], code: string | undefined, message: string): void {
    if (this.blocker?.kind === kind && this.blocker.code === code) return;
    this.blocker = { kind, code, message, sinceMs: this.now() };
    this.o.onProblem?.(this.blocker);
  }

  /** Pauses every worker (the network, S3 or a setting is wrong for all objects alike). */
  private backOff(): number {
    const delay = fullJitterDelayMs(this.failures++, this.o.retryBaseMs, this.o.retryMaxMs, this.o.random);
    this.pauseUntilMs = Math.max(this.pauseUntilMs, this.now() + delay);
    return delay;
  }

  /** Delays this entry alone (its own spool file or request is the problem); the others go on. */
  private entryRetryAtMs(e: BacklogEntry): number {
    const n = (this.entryFailures.get(e.id) ?? 0) + 1;
    this.entryFailures.set(e.id, n);
    return this.now() + fullJitterDelayMs(n - 1, this.o.retryBaseMs, this.o.retryMaxMs, this.o.random) + this.o.retryBaseMs;
  }

  private readonly entryFailures = new Map<number, number>();

  /** Wakes idle workers to look again (the link settings changed). */
  nudge(): void {
    this.wakeIdle();
  }

  private wakeIdle(): void {
    for (const wake of [...this.idlers]) wake();
  }

  /** Whether backlog segments may go now (inside a window); for the status answer. */
  backlogWindowOpen(): boolean {
    return this.o.windows?.isOpen(this.now()) ?? true;
  }

  /** Sleeps until the backlog changes, a PUT ends, `ms` passes (a window opens) or the uploader stops. */
  private idle(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let over = false;
      const finish = () => {
        if (over) return;
        over = true;
        clearTimeout(timer);
        this.idlers.delete(finish);
        resolve();
      };
      // A plain timer held here (no AbortSignal.any: Node 20 may collect it early).
      const timer = ms === undefined ? undefined : setTimeout(finish, ms);
      if (this.stopping) return finish();
      this.idlers.add(finish);
      // Without a signal: a waiter left behind by an earlier wake-up is dropped at the backlog's next change (finish is idempotent).
      void this.backlog.changed().then(finish);
    });
  }

  private async attempt(e: BacklogEntry): Promise<void> {
    let body: Uint8Array;
    try {
      body = await this.backlog.body(e);
    } catch (err) {
      this.o.onError?.(err as Error);
      if (err instanceof SpoolError && err.corrupt) {
        this.o.counters.spoolCorrupt++;
        this.o.log.error('spool entry corrupt; dropped', { objectKey: e.item.objectKey, err });
        this.entryFailures.delete(e.id);
        await this.backlog.discard(e, err.message);
        return;
      }
      // EIO, EMFILE, ENOMEM...: the entry may read fine later. Keep it and back off.
      this.o.counters.spoolReadErrors++;
      this.report('spool-read', (err as NodeJS.ErrnoException).code ?? (err as { cause?: { code?: string } }).cause?.code, (err as Error).message);
      const retryAtMs = this.entryRetryAtMs(e);
      this.o.log.error('SPOOL READ FAILED: entry kept, will read it again', { objectKey: e.item.objectKey, retryInMs: retryAtMs - this.now(), err });
      this.backlog.release(e, retryAtMs);
      return;
    }
    try {
      // A spooled entry's SHA-256 is in its header (checked if the body was read back from disk): not hashed again.
      const result = await this.putter.put(e.item, body, this.abort.signal, e.spool?.bodySha256);
      // An init section is named by the hash of its bytes: one that exists (an earlier run's) is this one.
      if (result === 'exists' && !e.attempted && e.item.kind !== ItemKind.INIT) {
        this.o.counters.conflicts++;
        this.o.log.warn('object already existed before our first attempt (412); keeping the stored one', { objectKey: e.item.objectKey });
      }
      this.failures = 0;
      this.entryFailures.delete(e.id);
      if (this.blocker) {
        this.o.log.info('uploads land again', { after: this.blocker.kind, code: this.blocker.code, sinceMs: this.blocker.sinceMs });
        this.blocker = null;
        this.o.onProblem?.(null);
      }
      this.o.counters.objectsUploaded++;
      this.o.counters.bytesUploaded += body.length;
      if (e.item.kind === ItemKind.SEGMENT) this.o.counters.segmentsUploaded++;
      if (e.item.kind === ItemKind.IMAGE) this.o.counters.imagesUploaded++;
      this.o.log.debug('uploaded', { objectKey: e.item.objectKey, bytes: body.length, result });
      await this.backlog.confirm(e);
    } catch (err) {
      this.o.counters.uploadFailures++;
      const ue =
        err instanceof UploadError ? err : new UploadError(`PUT ${e.item.objectKey} failed: ${(err as Error).message}`, { cause: err, retryable: true });
      this.o.onError?.(ue);
      if (this.abort.signal.aborted) {
        this.backlog.release(e);
        return;
      }
      // Kept, whatever the answer: only S3's 200 (or 412 on a retry) lets an object go.
      const problem = (ue as { problem?: UploadProblem }).problem ?? UploadProblem.TRANSIENT;
      // A refusal of this request, or a conflict on this key, waits alone; anything else pauses all.
      const own = problem === UploadProblem.REJECTED || problem === UploadProblem.CONFLICT;
      const retryAtMs = own ? this.entryRetryAtMs(e) : undefined;
      const delay = own ? retryAtMs! - this.now() : this.backOff();
      if (problem === UploadProblem.CONFIGURATION || problem === UploadProblem.REJECTED) {
        this.report(problem, ue.code, ue.message);
        this.o.log.error(`UPLOADS BLOCKED (${problem}): object kept, will retry`, {
          objectKey: e.item.objectKey,
          code: ue.code,
          status: ue.statusCode,
          retryInMs: delay,
          err: ue,
        });
      } else {
        this.o.log.warn('upload failed; will retry', { objectKey: e.item.objectKey, problem, retryInMs: delay, err: ue });
      }
      this.backlog.release(e, retryAtMs);
    }
  }
}
