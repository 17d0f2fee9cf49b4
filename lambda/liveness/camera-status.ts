import { resolveEventEnd, type DeviceStateItem, type EventItem } from '../../contract/index.ts';

/** What a camera is doing, as the grid shows it. */
export const CameraState = {
  RECORDING: 'recording',
  IDLE: 'idle',
  OFFLINE: 'offline',
  PRIVACY: 'privacy',
  /** Never heard from. */
  UNKNOWN: 'unknown',
} as const;
export type CameraState = (typeof CameraState)[keyof typeof CameraState];

export interface CameraStatus {
  deviceId: string;
  state: CameraState;
  /** When the cloud last received anything from the camera. */
  lastHeard: string | null;
  lastHeardMs: number | null;
  /** End of its newest recorded segment (camera clock). */
  lastRecordedMs: number | null;
  recordingMode: 'continuous' | 'event' | null;
  privacyPaused: boolean | null;
  offlineSince: string | null;
  lastEvent: { eventId: string; type: string; start: string; startMs: number; end: string; endMs: number; open: boolean; label?: string } | null;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * A camera's status from its state item and newest event (pure). Offline: marked by the
 * offline watch, or silent for longer than `offlineAfterMs` (the watch reports it within
 * a second of that). Privacy: its newest heartbeat says so and no segment came after it.
 * Recording: a segment arrived within `recordingWithinMs`. Idle: heard from, not recording.
 */
export function cameraStatus(
  deviceId: string,
  s: DeviceStateItem | undefined,
  lastEvent: EventItem | undefined,
  nowMs: number,
  o: { offlineAfterMs: number; recordingWithinMs: number },
): CameraStatus {
  const heardMs = s?.lastHeardMs ?? s?.lastSeenMs;
  let state: CameraState;
  if (!s || heardMs === undefined) state = CameraState.UNKNOWN;
  else if (s.offlineSinceMs !== undefined || nowMs - heardMs > o.offlineAfterMs) state = CameraState.OFFLINE;
  else if (s.privacyPaused && (s.statusHeardMs ?? 0) >= (s.lastSegmentHeardMs ?? 0)) state = CameraState.PRIVACY;
  else if (nowMs - (s.lastSegmentHeardMs ?? s.lastSeenMs ?? Number.NEGATIVE_INFINITY) <= o.recordingWithinMs) state = CameraState.RECORDING;
  else state = CameraState.IDLE;
  let ev: CameraStatus['lastEvent'] = null;
  if (lastEvent) {
    const { endMs, open } = resolveEventEnd(lastEvent, nowMs);
    ev = {
      eventId: lastEvent.eventId,
      type: lastEvent.type,
      start: iso(lastEvent.startMs)!,
      startMs: lastEvent.startMs,
      end: iso(endMs)!,
      endMs,
      open,
      ...(lastEvent.label !== undefined ? { label: lastEvent.label } : {}),
    };
  }
  return {
    deviceId,
    state,
    lastHeard: iso(heardMs),
    lastHeardMs: heardMs ?? null,
    lastRecordedMs: s?.lastSeq !== undefined ? s.lastSeenMs : null,
    recordingMode: s?.recordingMode ?? null,
    privacyPaused: s?.privacyPaused ?? null,
    offlineSince: iso(s?.offlineSinceMs ?? (state === CameraState.OFFLINE ? heardMs : undefined)),
    lastEvent: ev,
  };
}
