import { randomBytes } from 'node:crypto';
import { assertEventId, assertEventType } from '../../contract/index.ts';
import { ControlError } from '../core/agent-errors.ts';
import type { Logger } from '../core/json-logger.ts';
import type { EventRecords } from '../recording/event-records.ts';
import type { EventSpan, RecordingPolicy } from '../recording/recording-policy.ts';
import type { PendingSegment, SegmentCommitter } from './segment-committer.ts';
import type { SegmentQueue } from './segment-queue.ts';

export interface EventControlOptions {
  readonly policy: RecordingPolicy<PendingSegment>;
  readonly queue: SegmentQueue;
  readonly committer: SegmentCommitter;
  readonly eventRecords: EventRecords;
  readonly log: Logger;
  readonly now: () => number;
  /** The longest an event may last now (a run-time setting). */
  readonly maxEventMs: () => number;
  /** The agent still runs (a `durationSeconds` timer that fires during shutdown does nothing). */
  readonly running: () => boolean;
}

export interface StartEventOptions {
  eventId?: string;
  atMs?: number;
  /** The event stops by itself after this long (0 < s <= 86400). */
  durationSeconds?: number;
}

/**
 * Events from the motion detector or the firmware: checks what the caller sent, drives
 * the recording policy, and queues the records in the segment queue, so an event's start
 * record goes ahead of its pre-record segments and its end record after them.
 */
export class EventControl {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: EventControlOptions) {}

  /** Starts an event (closing one already open); returns its id. Throws ControlError for bad input. */
  start(type: string, opts: StartEventOptions = {}): string {
    const { policy, queue, committer, eventRecords } = this.o;
    try {
      assertEventType(type);
      if (opts.eventId !== undefined) assertEventId(opts.eventId);
    } catch (cause) {
      throw new ControlError((cause as Error).message, { cause });
    }
    const seconds = opts.durationSeconds;
    if (seconds !== undefined && !(seconds > 0 && seconds <= 86_400)) throw new ControlError(`durationSeconds must be between 0 and 86400, got ${seconds}`);
    const eventId = opts.eventId ?? newEventId(this.o.now());
    const atMs = Math.round(opts.atMs ?? this.o.now());
    const d = policy.startEvent(type, eventId, atMs);
    const maxDurationMs = Math.min(this.o.maxEventMs(), seconds !== undefined ? Math.max(seconds * 1000, 1000) + 1000 : Number.POSITIVE_INFINITY);
    clearTimeout(this.timer);
    if (seconds !== undefined) {
      this.timer = setTimeout(() => {
        if (this.o.running() && policy.openEvent?.eventId === eventId) this.stop();
      }, seconds * 1000);
      this.timer.unref();
    }
    queue.run(async () => {
      if (d.ended) await this.publish(d.ended);
      // The start record goes ahead of the pre-record segments: "event started" reaches the cloud within seconds.
      await eventRecords.started({ eventId, type, startMs: atMs, maxDurationMs });
      committer.release(d.release);
      await committer.commitAll(d.commit);
    });
    this.o.log.info('event started', { eventId, type, startMs: atMs });
    return eventId;
  }

  /** Stops the open event (post-record continues); returns it, or undefined if none was open. */
  stop(atMs?: number, reason?: EventSpan['endReason']): EventSpan | undefined {
    const ended = this.o.policy.stopEvent(Math.round(atMs ?? this.o.now()), reason);
    if (ended) this.o.queue.run(() => this.publish(ended));
    return ended;
  }

  /** Every second: closes an event that reached its maximum length. */
  tick(nowMs: number): void {
    const ended = this.o.policy.tick(nowMs);
    if (!ended) return;
    this.o.log.info('event closed at maxEventSeconds', { eventId: ended.eventId });
    this.o.queue.run(() => this.publish(ended));
  }

  /** Shutdown: the open event ends now (reason `shutdown`). */
  shutdown(): void {
    clearTimeout(this.timer);
    this.stop(undefined, 'shutdown');
  }

  private async publish(ev: EventSpan): Promise<void> {
    await this.o.eventRecords.ended(ev);
    this.o.log.info('event recorded', { ...ev });
  }
}

function newEventId(nowMs: number): string {
  return `${nowMs.toString(36)}-${randomBytes(4).toString('hex')}`;
}
