import { ContractError } from './contract-error.ts';
import { assertDeviceId } from './ids.ts';

/**
 * A heartbeat: a small JSON object (about 200 bytes) a device PUTs at
 * heartbeats/{deviceId}/{atMs}.json while it has uploaded nothing else for a while (an idle
 * event-mode camera, a camera in privacy pause), and at once when its privacy or recording
 * mode changes. A camera uploading segments sends none: every object it writes tells the
 * cloud it is alive. The cloud's offline watch hears it; the camera's status (the grid's
 * "privacy" and "idle") comes from it. Expired after a day (a bucket lifecycle rule).
 */
export const HEARTBEAT_RECORD_VERSION = 1 as const;
export const HEARTBEAT_CONTENT_TYPE = 'application/json';
/** Bytes a heartbeat body may take; the indexer skips larger objects. */
export const HEARTBEAT_MAX_BYTES = 4096;

export interface HeartbeatRecord {
  version: typeof HEARTBEAT_RECORD_VERSION;
  deviceId: string;
  /** Device time it was written, UTC ms (matches the key). */
  atMs: number;
  /** `continuous` or `event`. */
  mode: 'continuous' | 'event';
  privacyPaused: boolean;
  /** The event open on the device, if any. */
  openEventId?: string;
  /** Segments waiting on the device (memory and spool). */
  backlogSegments: number;
}

/** Checks a parsed heartbeat; lists every problem at once. */
export function parseHeartbeatRecord(value: unknown): HeartbeatRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ContractError('heartbeat must be a JSON object');
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  if (v.version !== HEARTBEAT_RECORD_VERSION) problems.push(`version must be ${HEARTBEAT_RECORD_VERSION}`);
  try {
    assertDeviceId(v.deviceId);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (typeof v.atMs !== 'number' || !Number.isSafeInteger(v.atMs) || v.atMs < 0) problems.push('atMs must be whole UTC ms');
  if (v.mode !== 'continuous' && v.mode !== 'event') problems.push('mode must be "continuous" or "event"');
  if (typeof v.privacyPaused !== 'boolean') problems.push('privacyPaused must be true or false');
  if (v.openEventId !== undefined && (typeof v.openEventId !== 'string' || v.openEventId.length > 64)) problems.push('openEventId must be an event id');
  if (typeof v.backlogSegments !== 'number' || !Number.isSafeInteger(v.backlogSegments) || v.backlogSegments < 0)
    problems.push('backlogSegments must be a whole number');
  if (problems.length) throw new ContractError(`bad heartbeat: ${problems.join('; ')}`);
  const out: HeartbeatRecord = {
    version: HEARTBEAT_RECORD_VERSION,
    deviceId: v.deviceId as string,
    atMs: v.atMs as number,
    mode: v.mode as HeartbeatRecord['mode'],
    privacyPaused: v.privacyPaused as boolean,
    backlogSegments: v.backlogSegments as number,
  };
  if (v.openEventId !== undefined) out.openEventId = v.openEventId as string;
  return out;
}

export function serializeHeartbeatRecord(r: HeartbeatRecord): string {
  return JSON.stringify(parseHeartbeatRecord(r));
}
