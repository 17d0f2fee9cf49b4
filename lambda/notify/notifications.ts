import {
  checkNotification,
  NOTIFICATION_VERSION,
  NotificationType,
  resolveEventEnd,
  type EventEndReason,
  type EventItem,
  type Notification,
} from '../../contract/index.ts';

/**
 * Builds each notification from what the index holds, checked against its published
 * schema (contract/notification-events.ts). Pure.
 */
const iso = (ms: number) => new Date(ms).toISOString();

function eventFields(e: Pick<EventItem, 'deviceId' | 'eventId' | 'type' | 'startMs' | 'label'>) {
  return {
    version: NOTIFICATION_VERSION,
    deviceId: e.deviceId,
    eventId: e.eventId,
    type: e.type,
    startMs: e.startMs,
    start: iso(e.startMs),
    ...(e.label !== undefined ? { label: e.label } : {}),
  };
}

export function eventStarted(e: Pick<EventItem, 'deviceId' | 'eventId' | 'type' | 'startMs' | 'label' | 'maxEndMs' | 'endMs'>): Notification {
  const maxEndMs = e.maxEndMs ?? resolveEventEnd({ ...e, endMs: undefined }, Number.POSITIVE_INFINITY).endMs;
  return checkNotification({
    type: NotificationType.EVENT_STARTED,
    timeMs: e.startMs,
    detail: { ...eventFields(e), maxEndMs, dedupeKey: `${e.deviceId}:${e.eventId}:started` },
  });
}

export function eventEnded(
  e: Pick<EventItem, 'deviceId' | 'eventId' | 'type' | 'startMs' | 'label'> & { endMs: number; endReason: EventEndReason; inferred: boolean },
): Notification {
  return checkNotification({
    type: NotificationType.EVENT_ENDED,
    timeMs: e.endMs,
    detail: {
      ...eventFields(e),
      endMs: e.endMs,
      end: iso(e.endMs),
      durationMs: e.endMs - e.startMs,
      endReason: e.endReason,
      inferred: e.inferred,
      dedupeKey: `${e.deviceId}:${e.eventId}:ended:${e.endMs}:${e.inferred ? 'cloud' : 'camera'}`,
    },
  });
}

export function cameraOffline(deviceId: string, lastHeardMs: number, detectedMs: number, offlineAfterMs: number): Notification {
  return checkNotification({
    type: NotificationType.CAMERA_OFFLINE,
    timeMs: detectedMs,
    detail: {
      version: NOTIFICATION_VERSION,
      deviceId,
      lastHeardMs,
      lastHeard: iso(lastHeardMs),
      detectedMs,
      detected: iso(detectedMs),
      offlineAfterSeconds: Math.round(offlineAfterMs / 1000),
      dedupeKey: `${deviceId}:offline:${lastHeardMs}`,
    },
  });
}

export function cameraOnline(deviceId: string, offlineSinceMs: number, backMs: number): Notification {
  return checkNotification({
    type: NotificationType.CAMERA_ONLINE,
    timeMs: backMs,
    detail: {
      version: NOTIFICATION_VERSION,
      deviceId,
      offlineSinceMs,
      offlineSince: iso(offlineSinceMs),
      backMs,
      back: iso(backMs),
      outageMs: Math.max(0, backMs - offlineSinceMs),
      dedupeKey: `${deviceId}:online:${offlineSinceMs}`,
    },
  });
}

/** For the clip export to come: an exported clip is ready. */
export function clipReady(c: {
  deviceId: string;
  clipId: string;
  startMs: number;
  endMs: number;
  objectKey: string;
  sizeBytes: number;
  sha256: string;
  contentType: string;
}): Notification {
  return checkNotification({
    type: NotificationType.CLIP_READY,
    timeMs: c.endMs,
    detail: {
      version: NOTIFICATION_VERSION,
      deviceId: c.deviceId,
      clipId: c.clipId,
      startMs: c.startMs,
      start: iso(c.startMs),
      endMs: c.endMs,
      end: iso(c.endMs),
      objectKey: c.objectKey,
      sizeBytes: c.sizeBytes,
      sha256: c.sha256,
      contentType: c.contentType,
      dedupeKey: `${c.deviceId}:clip:${c.clipId}`,
    },
  });
}
