import type { EventEndReason, EventItem } from '../../contract/index.ts';

/** What the start record tells (or a version-1 record's start half). */
export interface EventStart {
  deviceId: string;
  eventId: string;
  type: string;
  startMs: number;
  label?: string;
  maxEndMs: number;
  objectKey: string;
  ttl: number;
}

/** What the end record tells (or a version-1 record's end half). */
export interface EventEnd {
  deviceId: string;
  eventId: string;
  type: string;
  startMs: number;
  label?: string;
  endMs: number;
  endReason: EventEndReason;
  endObjectKey: string;
  ttl: number;
}

/**
 * Event items in the index (contract/index-item.ts EventItem), written from a device's
 * start and end records in any order and any number of times. Each write answers the
 * item as it was before, so the caller publishes a notification only once per phase.
 */
export interface EventStore {
  recordStart(start: EventStart): Promise<EventItem | undefined>;
  /** A device end record wins over an end the cloud inferred. */
  recordEnd(end: EventEnd): Promise<EventItem | undefined>;
  /** The cloud closes an open event; undefined when it was closed meanwhile. Answers the item after. */
  closeInferred(deviceId: string, sk: string, endMs: number, reason: EventEndReason): Promise<EventItem | undefined>;
  markNotified(deviceId: string, sk: string, phase: 'start' | 'end'): Promise<void>;
  /** Events of the device that started in [fromMs, toMs) and have no end yet, oldest first. */
  openEvents(deviceId: string, fromMs: number, toMs: number): Promise<EventItem[]>;
  /** The device's newest event (by start), open or closed. */
  newestEvent(deviceId: string): Promise<EventItem | undefined>;
}
