import { ContractError } from './contract-error.ts';
import { assertDeviceId, assertEventId, assertEventType } from './ids.ts';

/**
 * An event record: JSON the device PUTs at events/{deviceId}/{startMs}-{eventId}.json
 * when an event (motion, person, doorbell, a manual trigger) closes. The indexer stores
 * it and the playback API shows it as an EXT-X-DATERANGE and on the timeline.
 */
export const EVENT_RECORD_VERSION = 1 as const;
/** Longest event one record may describe: 24 h. */
export const EVENT_MAX_DURATION_MS = 24 * 60 * 60 * 1000;
const LABEL_MAX_CHARS = 256;
const MAX_START_MS = 253_402_300_799_999;

export interface EventRecord {
  version: typeof EVENT_RECORD_VERSION;
  deviceId: string;
  eventId: string;
  /** e.g. `motion`, `person`, `doorbell`, `manual`. */
  type: string;
  /** UTC ms the event started. */
  startMs: number;
  /** UTC ms the event ended (>= startMs). */
  endMs: number;
  /** Optional human text, at most 256 characters. */
  label?: string;
}

/** Checks a parsed JSON value; lists every problem at once. */
export function parseEventRecord(value: unknown): EventRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ContractError('event record must be a JSON object');
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  const attempt = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      problems.push((e as Error).message);
    }
  };
  if (v.version !== EVENT_RECORD_VERSION) problems.push(`version must be ${EVENT_RECORD_VERSION}`);
  attempt(() => assertDeviceId(v.deviceId));
  attempt(() => assertEventId(v.eventId));
  attempt(() => assertEventType(v.type));
  const ms = (name: string) => {
    const x = v[name];
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0 || x > MAX_START_MS) problems.push(`${name} must be whole UTC ms`);
  };
  ms('startMs');
  ms('endMs');
  if (typeof v.startMs === 'number' && typeof v.endMs === 'number') {
    if (v.endMs < v.startMs) problems.push('endMs must not be before startMs');
    if (v.endMs - v.startMs > EVENT_MAX_DURATION_MS) problems.push('an event may last at most 24 h');
  }
  if (v.label !== undefined && (typeof v.label !== 'string' || v.label.length > LABEL_MAX_CHARS)) problems.push(`label must be a string of at most ${LABEL_MAX_CHARS} characters`);
  if (problems.length) throw new ContractError(`bad event record: ${problems.join('; ')}`);
  const out: EventRecord = {
    version: EVENT_RECORD_VERSION,
    deviceId: v.deviceId as string,
    eventId: v.eventId as string,
    type: v.type as string,
    startMs: v.startMs as number,
    endMs: v.endMs as number,
  };
  if (v.label !== undefined) out.label = v.label as string;
  return out;
}

/** The record's JSON body as the device uploads it. */
export function serializeEventRecord(r: EventRecord): string {
  return JSON.stringify(parseEventRecord(r));
}
