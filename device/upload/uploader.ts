import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentCounters } from '../agent/agent-counters.ts';
import { SpoolError, UploadError } from '../agent/agent-errors.ts';
import type { Logger } from '../agent/json-logger.ts';
import type { Backlog, BacklogEntry } from '../buffer/backlog.ts';
import { fullJitterDelayMs } from '../credentials/backoff.ts';
import type { ObjectPutter } from './object-putter.ts';
import { ItemKind } from './upload-item.ts';

export interface UploaderOptions {
  /** PUTs in flight at once; memory read by PUTs is bounded by the entries in flight. */
  concurrency: number;
  retryBaseMs: number;
  retryMaxMs: number;
  counters: AgentCounters;
  log: Logger;
  onError?: (err: Error) => void;
  now?: () => number;
  random?: () => number;
}

/**
 * `concurrency` workers pull from one Backlog (so work is bounded by construction). The
 * retry policy lives here alone: a retryable failure releases the entry and pauses all
 * workers for a jittered, doubling delay (the network or S3 is down for everyone); a
 * success resets it. A 412 on a retry is success: an earlier attempt landed.
 */
export class Uploader {
  private abort = new AbortController();
  private workers: Promise<void>[] = [];
  private failures = 0;
  private pauseUntilMs = 0;
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
    const all = Promise.all(this.workers);
    if (graceMs > 0) await Promise.race([all, sleep(graceMs)]);
    this.abort.abort();
    await all;
    this.workers = [];
  }

  /** Resolves when nothing is queued or in flight, or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = this.now() + timeoutMs;
    while (this.backlog.count > 0) {
      if (this.now() >= deadline) return false;
      await sleep(20);
    }
    return true;
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
      const e = this.backlog.take();
      if (!e) {
        await this.backlog.changed(this.wakeAll.signal);
        continue;
      }
      await this.attempt(e);
    }
  }

  private async attempt(e: BacklogEntry): Promise<void> {
    let body: Uint8Array;
    try {
      body = await this.backlog.body(e);
    } catch (err) {
      this.o.counters.spoolCorrupt++;
      this.o.onError?.(err as Error);
      this.o.log.error('spool entry unreadable; dropped', { objectKey: e.item.objectKey, err });
      await this.backlog.discard(e, err instanceof SpoolError ? err.message : 'unreadable');
      return;
    }
    try {
      const result = await this.putter.put(e.item, body, this.abort.signal);
      if (result === 'exists' && !e.attempted) {
        this.o.counters.conflicts++;
        this.o.log.warn('object already existed before our first attempt (412); keeping the stored one', { objectKey: e.item.objectKey });
      }
      this.failures = 0;
      this.o.counters.objectsUploaded++;
      this.o.counters.bytesUploaded += body.length;
      if (e.item.kind === ItemKind.SEGMENT) this.o.counters.segmentsUploaded++;
      this.o.log.debug('uploaded', { objectKey: e.item.objectKey, bytes: body.length, result });
      await this.backlog.confirm(e);
    } catch (err) {
      this.o.counters.uploadFailures++;
      const ue = err instanceof UploadError ? err : new UploadError(`PUT ${e.item.objectKey} failed: ${(err as Error).message}`, { cause: err, retryable: true });
      this.o.onError?.(ue);
      if (this.abort.signal.aborted) {
        this.backlog.release(e);
        return;
      }
      if (!ue.retryable) {
        await this.backlog.discard(e, ue.message);
        return;
      }
      const delay = fullJitterDelayMs(this.failures++, this.o.retryBaseMs, this.o.retryMaxMs, this.o.random);
      this.pauseUntilMs = Math.max(this.pauseUntilMs, this.now() + delay);
      this.o.log.warn('upload failed; will retry', { objectKey: e.item.objectKey, retryInMs: delay, err: ue });
      this.backlog.release(e);
    }
  }
}
