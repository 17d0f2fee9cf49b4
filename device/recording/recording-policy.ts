import type { EventEndReason } from '../../contract/index.ts';
import { RecordingMode } from '../config/device-config-schema.ts';

export type RecordingModeName = (typeof RecordingMode)[keyof typeof RecordingMode];

/** What the policy needs to know about a finished segment. */
export interface TimedSegment {
  readonly startMs: number;
  readonly durationMs: number;
}

/** A finished event, as written to events/{deviceId}/{startMs}-{eventId}.end.json (see event-records.ts). */
export interface EventSpan {
  readonly eventId: string;
  readonly type: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Why it ended: stopped by the caller, closed at maxEventSeconds, by shutdown, or replaced by a new event (restart: found open after a crash). */
  readonly endReason: EventEndReason;
}

export interface PolicyOptions {
  mode: RecordingModeName;
  preRecordMs: number;
  postRecordMs: number;
  maxEventMs: number;
}

/** Segments to upload now (oldest first) and held segments no longer needed. */
export interface Decision<T> {
  readonly commit: T[];
  readonly release: T[];
}

interface OpenEvent {
  eventId: string;
  type: string;
  startMs: number;
}

/**
 * Which finished segments get recorded. Continuous: all. Event mode: those that overlap
 * [event start - preRecord, event end + postRecord]; in between, the newest segments
 * covering the last `preRecordMs` are held (the caller keeps their bytes) so an event
 * can reach back. Pure: time comes in through arguments.
 */
export class RecordingPolicy<T extends TimedSegment> {
  private held: T[] = [];
  private open: OpenEvent | undefined;
  /** Windows [fromMs, toMs) that must be recorded (closed events with their post-record). */
  private windows: { fromMs: number; toMs: number }[] = [];
  private o: PolicyOptions;

  constructor(o: PolicyOptions) {
    this.o = { ...o };
  }

  get mode(): RecordingModeName {
    return this.o.mode;
  }

  get openEvent(): Readonly<OpenEvent> | undefined {
    return this.open;
  }

  get heldCount(): number {
    return this.held.length;
  }

  update(o: Partial<PolicyOptions>): Decision<T> {
    this.o = { ...this.o, ...o };
    if (this.o.mode === RecordingMode.CONTINUOUS) return { commit: [], release: this.takeHeld() };
    return { commit: [], release: [] };
  }

  /** A segment finished. */
  offer(seg: T): Decision<T> {
    if (this.o.mode === RecordingMode.CONTINUOUS || this.covered(seg)) {
      this.pruneWindows(seg.startMs);
      return { commit: [seg], release: [] };
    }
    this.held.push(seg);
    const horizon = seg.startMs + seg.durationMs - this.o.preRecordMs;
    // Keep the newest segments whose end reaches into the pre-record horizon.
    const release: T[] = [];
    while (this.held.length && this.held[0]!.startMs + this.held[0]!.durationMs <= horizon) release.push(this.held.shift()!);
    if (this.o.preRecordMs === 0) release.push(...this.held.splice(0));
    this.pruneWindows(seg.startMs);
    return { commit: [], release };
  }

  /** Drop the oldest held segment (the caller ran out of buffer). */
  dropOldestHeld(): T | undefined {
    return this.held.shift();
  }

  /**
   * An event starts at `atMs`. Held segments within the pre-record reach are committed.
   * An event already open is closed first (returned in `ended`).
   */
  startEvent(type: string, eventId: string, atMs: number): Decision<T> & { ended?: EventSpan } {
    const ended = this.open ? this.close(atMs, 'replaced') : undefined;
    this.open = { eventId, type, startMs: atMs };
    const from = atMs - this.o.preRecordMs;
    const commit: T[] = [];
    const release: T[] = [];
    for (const h of this.takeHeld()) (h.startMs + h.durationMs > from ? commit : release).push(h);
    return { commit, release, ended };
  }

  /** The open event stops at `atMs`; post-record continues to atMs + postRecordMs. */
  stopEvent(atMs: number, reason: EventSpan['endReason'] = 'stopped'): EventSpan | undefined {
    return this.open ? this.close(atMs, reason) : undefined;
  }

  /** Closes an event that reached maxEventMs by `nowMs`. */
  tick(nowMs: number): EventSpan | undefined {
    if (this.open && nowMs - this.open.startMs >= this.o.maxEventMs) return this.close(this.open.startMs + this.o.maxEventMs, 'max-duration');
    return undefined;
  }

  /** Privacy pause: nothing held survives. */
  releaseAll(): T[] {
    return this.takeHeld();
  }

  private close(atMs: number, reason: EventSpan['endReason']): EventSpan {
    const ev = this.open!;
    this.open = undefined;
    const endMs = Math.max(atMs, ev.startMs);
    this.windows.push({ fromMs: ev.startMs - this.o.preRecordMs, toMs: endMs + this.o.postRecordMs });
    return { eventId: ev.eventId, type: ev.type, startMs: ev.startMs, endMs, endReason: reason };
  }

  private covered(seg: T): boolean {
    const end = seg.startMs + seg.durationMs;
    if (this.open && end > this.open.startMs - this.o.preRecordMs) return true;
    return this.windows.some((w) => end > w.fromMs && seg.startMs < w.toMs);
  }

  private pruneWindows(latestStartMs: number): void {
    this.windows = this.windows.filter((w) => w.toMs > latestStartMs);
  }

  private takeHeld(): T[] {
    const h = this.held;
    this.held = [];
    return h;
  }
}
