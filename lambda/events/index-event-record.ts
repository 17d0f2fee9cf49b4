import {
  EVENT_MAX_DURATION_MS,
  EVENT_RECORD_VERSION,
  EventEndReason,
  eventRecordPhases,
  eventSortKey,
  ttlFor,
  type AnyEventRecord,
  type EventItem,
} from '../../contract/index.ts';
import type { NotificationPublisher } from '../notify/notification-publisher.ts';
import { eventEnded, eventStarted } from '../notify/notifications.ts';
import type { EventStore } from './event-store.ts';

export interface EventRecordDeps {
  events: EventStore;
  publisher: NotificationPublisher;
  retentionDays: number;
}

/**
 * One event record (start, end, or a version-1 record that is both) into the index, and
 * its notifications: "started" when the start is first indexed, "ended" when the end is
 * (again when a device end replaces an end the cloud inferred). A start also closes the
 * camera's earlier events that are still open: their camera died or lost the end record,
 * and a camera has one event open at a time. Order-free and idempotent; a failed publish
 * throws and the replay publishes what is still unpublished.
 *
 * Answers 'indexed' when the record changed the index, 'duplicate' when it was known.
 */
export async function indexEventRecord(deps: EventRecordDeps, record: AnyEventRecord, objectKey: string): Promise<'indexed' | 'duplicate'> {
  const phases = eventRecordPhases(record);
  const ttl = ttlFor(record.startMs, deps.retentionDays);
  const sk = eventSortKey(record.startMs, record.eventId);
  const label = record.label !== undefined ? { label: record.label } : {};
  let changed = false;
  if (phases.start) {
    const maxDurationMs =
      record.version === EVENT_RECORD_VERSION ? EVENT_MAX_DURATION_MS : 'maxDurationMs' in record ? record.maxDurationMs : EVENT_MAX_DURATION_MS;
    const start = {
      deviceId: record.deviceId,
      eventId: record.eventId,
      type: record.type,
      startMs: record.startMs,
      maxEndMs: record.startMs + maxDurationMs,
      objectKey,
      ttl,
      ...label,
    };
    const before = await deps.events.recordStart(start);
    changed ||= before?.objectKey === undefined;
    if (!before?.startNotified) {
      await deps.publisher.publish([eventStarted(start)]);
      await deps.events.markNotified(record.deviceId, sk, 'start');
    }
    await closeSuperseded(deps, record.deviceId, record.startMs, sk);
  }
  if (phases.end && 'endMs' in record) {
    const endReason = 'endReason' in record ? record.endReason : EventEndReason.STOPPED;
    const end = {
      deviceId: record.deviceId,
      eventId: record.eventId,
      type: record.type,
      startMs: record.startMs,
      endMs: record.endMs,
      endReason,
      endObjectKey: objectKey,
      ttl,
      ...label,
    };
    const before = await deps.events.recordEnd(end);
    changed ||= before?.endObjectKey === undefined;
    if (!before?.endNotified || before.endInferred) {
      await deps.publisher.publish([eventEnded({ ...end, label: before?.label ?? end.label, inferred: false })]);
      await deps.events.markNotified(record.deviceId, sk, 'end');
    }
  }
  return changed ? 'indexed' : 'duplicate';
}

/** Closes the camera's events that started before `startMs` (within a day) and are still open, at `startMs`. */
async function closeSuperseded(deps: EventRecordDeps, deviceId: string, startMs: number, selfSk: string): Promise<void> {
  const open = (await deps.events.openEvents(deviceId, startMs - EVENT_MAX_DURATION_MS, startMs + 1)).filter((e) => e.sk !== selfSk && e.startMs <= startMs);
  // One that outlived its maximum length before this start ended there.
  await closeEvents(deps, open, (e) =>
    e.maxEndMs !== undefined && e.maxEndMs < startMs
      ? { endMs: e.maxEndMs, reason: EventEndReason.MAX_DURATION }
      : { endMs: startMs, reason: EventEndReason.SUPERSEDED },
  );
}

/** Closes open events where `endAt` says (never before their start) and publishes "ended" (inferred) for each it closed. */
export async function closeEvents(
  deps: Pick<EventRecordDeps, 'events' | 'publisher'>,
  open: readonly EventItem[],
  endAt: (e: EventItem) => { endMs: number; reason: EventEndReason },
): Promise<number> {
  let closed = 0;
  for (const e of open) {
    const at = endAt(e);
    const reason = at.reason;
    const endMs = Math.max(e.startMs, at.endMs);
    const after = await deps.events.closeInferred(e.deviceId, e.sk, endMs, reason);
    if (!after) continue;
    closed++;
    await deps.publisher.publish([
      eventEnded({
        deviceId: e.deviceId,
        eventId: e.eventId,
        type: e.type,
        startMs: e.startMs,
        endMs,
        endReason: reason,
        inferred: true,
        ...(e.label !== undefined ? { label: e.label } : {}),
      }),
    ]);
    await deps.events.markNotified(e.deviceId, e.sk, 'end');
  }
  return closed;
}
