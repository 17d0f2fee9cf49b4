import { randomBytes } from 'node:crypto';
import { EventEndReason, EVENT_MAX_DURATION_MS, type DeviceStateItem } from '../../contract/index.ts';
import { closeEvents } from '../events/index-event-record.ts';
import type { EventStore } from '../events/event-store.ts';
import type { NotificationPublisher } from '../notify/notification-publisher.ts';
import { cameraOffline, cameraOnline } from '../notify/notifications.ts';
import { noMetrics, silentLog, type Log, type MetricsSink } from '../shared/log.ts';
import type { Clock } from '../shared/clock.ts';
import type { LivenessStore } from './liveness-store.ts';
import { WATCH_MAX_DELAY_MS, type WatchMessage, type WatchQueue } from './watch-queue.ts';

/**
 * The offline watch: one chain of delayed messages per online device, no table Scan.
 *
 * - The indexer hears a device (any object it uploads; see `onHeard`). A device with no
 *   watch (first contact, back from offline) gets one: a fresh watch id on its state item
 *   and a message "check {device, watch} in offlineAfter".
 * - The checker (`checkDevice`) gets the message. Heard from within offlineAfter: it sends
 *   the same message again, due offlineAfter after the last signal (no write). Silent for
 *   offlineAfter: it marks the device offline (conditional on the watch and the last
 *   signal being unchanged), closes the device's open events at the last signal, publishes
 *   "offline", then ends the watch.
 * - The next signal from an offline device publishes "online", clears the mark and arms a
 *   new watch.
 *
 * So a device is reported offline within offlineAfter (+ the queue's second or so) of its
 * last segment or heartbeat. Costs scale with online devices, one delayed message per
 * device per offlineAfter, and nothing runs for offline ones (see docs/notifications.md).
 * A message of a replaced or ended watch is dropped; every step is conditional, so
 * duplicates and retries cannot report a device twice or undo a newer state.
 */
export interface OfflineWatchDeps {
  liveness: LivenessStore;
  events: EventStore;
  queue: WatchQueue;
  publisher: NotificationPublisher;
  clock: Clock;
  /** Silence that counts as offline, ms (<= 15 min, the longest SQS delay). */
  offlineAfterMs: number;
  log?: Log;
  metrics?: MetricsSink;
  /** Watch ids; random by default. */
  newWatchId?: () => string;
}

/** A check lands this long after the deadline it checks, so a signal S3 received right at the deadline is indexed first. */
export const WATCH_GRACE_MS = 1000;

export function validateOfflineAfterMs(ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 1000 || ms > WATCH_MAX_DELAY_MS)
    throw new Error(`offlineAfter must be 1 s to ${WATCH_MAX_DELAY_MS / 1000} s (the longest SQS delay), got ${ms} ms`);
  return ms;
}

const defaultWatchId = () => randomBytes(8).toString('hex');

/**
 * After the indexer recorded a signal: publishes "online" for a device that was offline
 * and arms a watch for a device without one (or whose watch evidently broke: silent for
 * longer than offlineAfter yet never reported).
 */
export async function onHeard(deps: OfflineWatchDeps, deviceId: string, heardMs: number, previous: DeviceStateItem | undefined): Promise<void> {
  const log = deps.log ?? silentLog;
  if (previous?.offlineSinceMs !== undefined) {
    await deps.publisher.publish([cameraOnline(deviceId, previous.offlineSinceMs, heardMs)]);
    (deps.metrics ?? noMetrics).count('CamerasOnline');
    log.info('camera online again', { deviceId, offlineSinceMs: previous.offlineSinceMs, heardMs });
    await deps.liveness.clearOffline(deviceId, previous.offlineSinceMs);
    await arm(deps, deviceId, heardMs, previous.watchId);
    return;
  }
  const broken = previous?.watchId !== undefined && (previous.lastHeardMs ?? 0) < heardMs - deps.offlineAfterMs - WATCH_GRACE_MS * 5;
  if (previous?.watchId === undefined || broken) await arm(deps, deviceId, heardMs, previous?.watchId);
}

/** A new watch: the message goes first, then the conditional write, so a failed send leaves no watch that nothing checks. */
async function arm(deps: OfflineWatchDeps, deviceId: string, heardMs: number, expected: string | undefined): Promise<void> {
  const watchId = (deps.newWatchId ?? defaultWatchId)();
  const delay = Math.max(0, heardMs + deps.offlineAfterMs - deps.clock.nowMs()) + WATCH_GRACE_MS;
  await deps.queue.schedule({ deviceId, watchId }, delay);
  if (!(await deps.liveness.armWatch(deviceId, watchId, expected)))
    (deps.log ?? silentLog).info('another watch was armed first; this one lapses', { deviceId, watchId });
}

export type CheckOutcome = 'dropped' | 'rescheduled' | 'offline';

/** Handles one WatchMessage (see the comment at the top). */
export async function checkDevice(deps: OfflineWatchDeps, msg: WatchMessage): Promise<CheckOutcome> {
  const log = deps.log ?? silentLog;
  for (let attempt = 0; attempt < 3; attempt++) {
    const state = await deps.liveness.getState(msg.deviceId);
    if (!state || state.watchId !== msg.watchId || state.lastHeardMs === undefined) return 'dropped';
    const nowMs = deps.clock.nowMs();
    if (state.offlineSinceMs === undefined) {
      const dueMs = state.lastHeardMs + deps.offlineAfterMs;
      if (nowMs < dueMs) {
        await deps.queue.schedule(msg, Math.min(WATCH_MAX_DELAY_MS, dueMs - nowMs + WATCH_GRACE_MS));
        return 'rescheduled';
      }
      if (!(await deps.liveness.markOffline(msg.deviceId, msg.watchId, state.lastHeardMs, nowMs))) continue; // heard meanwhile: look again
    }
    // Marked offline (now, or by an earlier attempt whose publish failed): finish the job.
    const lastHeardMs = state.offlineSinceMs ?? state.lastHeardMs;
    const open = await deps.events.openEvents(msg.deviceId, lastHeardMs - EVENT_MAX_DURATION_MS, nowMs + 1);
    await closeEvents(deps, open, (e) => ({ endMs: Math.min(lastHeardMs, e.maxEndMs ?? lastHeardMs), reason: EventEndReason.OFFLINE }));
    await deps.publisher.publish([cameraOffline(msg.deviceId, lastHeardMs, state.offlineDetectedMs ?? nowMs, deps.offlineAfterMs)]);
    (deps.metrics ?? noMetrics).count('CamerasOffline');
    log.warn('camera offline', { deviceId: msg.deviceId, lastHeardMs });
    await deps.liveness.endWatch(msg.deviceId, msg.watchId);
    return 'offline';
  }
  throw new Error(`camera ${msg.deviceId}: its state kept changing while being checked; the message will be retried`);
}
