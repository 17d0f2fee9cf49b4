import { ContractError } from './contract-error.ts';
import { MAX_TIME_MS } from './max-time.ts';
import { assertDeviceId, assertEventId, assertEventType } from './ids.ts';

/**
 * Event records: small JSON objects a device PUTs (write-once) about an event (motion,
 * person, doorbell, a manual trigger). The indexer stores them and the playback API shows
 * them as EXT-X-DATERANGE tags and on the timeline; the cloud publishes them as
 * notifications.
 *
 * Version 2, two records per event, so "event started" reaches the cloud within seconds:
 *
 *   events/{deviceId}/{startMs}-{eventId}.json      phase "start", PUT when the event starts
 *   events/{deviceId}/{startMs}-{eventId}.end.json  phase "end",   PUT when it closes
 *
 * Version 1 (older agents): one record at close, at the start key, with both times.
 */
export const EVENT_RECORD_VERSION = 1 as const;
export const EVENT_LIFECYCLE_VERSION = 2 as const;
/** Longest event one record may describe: 24 h. */
export const EVENT_MAX_DURATION_MS = 24 * 60 * 60 * 1000;
const LABEL_MAX_CHARS = 256;
const MAX_START_MS = MAX_TIME_MS;

export const EventPhase = { START: 'start', END: 'end' } as const;
export type EventPhase = (typeof EventPhase)[keyof typeof EventPhase];

/**
 * Why an event ended. The device writes the first five; the cloud infers the last two
 * for an event whose device never closed it:
 * - `stopped` the caller stopped it; `max-duration` it reached the agent's maxEventSeconds;
 *   `shutdown` the agent stopped; `replaced` a new event started; `restart` the agent found
 *   it still open after a crash or power cut (its end is the restart time, capped at the
 *   maximum length);
 * - `superseded` a later event of the same camera started first; `offline` the camera went
 *   offline (its end is when the camera was last heard from).
 */
export const EventEndReason = {
  STOPPED: 'stopped',
  MAX_DURATION: 'max-duration',
  SHUTDOWN: 'shutdown',
  REPLACED: 'replaced',
  RESTART: 'restart',
  SUPERSEDED: 'superseded',
  OFFLINE: 'offline',
} as const;
export type EventEndReason = (typeof EventEndReason)[keyof typeof EventEndReason];
const END_REASONS = new Set<string>(Object.values(EventEndReason));

/** Version 1: one record, written when the event closed. */
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

/** Version 2, phase start: written when the event starts. */
export interface EventStartRecord {
  version: typeof EVENT_LIFECYCLE_VERSION;
  phase: typeof EventPhase.START;
  deviceId: string;
  eventId: string;
  type: string;
  startMs: number;
  /** The device closes the event after this long at the latest (its maxEventSeconds); readers treat it as ended then. */
  maxDurationMs: number;
  label?: string;
}

/** Version 2, phase end: written when the event closes. */
export interface EventEndRecord {
  version: typeof EVENT_LIFECYCLE_VERSION;
  phase: typeof EventPhase.END;
  deviceId: string;
  eventId: string;
  type: string;
  startMs: number;
  endMs: number;
  endReason: EventEndReason;
  label?: string;
}

export type AnyEventRecord = EventRecord | EventStartRecord | EventEndRecord;

type Problems = string[];

function checkCommon(v: Record<string, unknown>, problems: Problems): void {
  const attempt = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      problems.push((e as Error).message);
    }
  };
  attempt(() => assertDeviceId(v.deviceId));
  attempt(() => assertEventId(v.eventId));
  attempt(() => assertEventType(v.type));
  checkMs(v, 'startMs', problems);
  if (v.label !== undefined && (typeof v.label !== 'string' || v.label.length > LABEL_MAX_CHARS))
    problems.push(`label must be a string of at most ${LABEL_MAX_CHARS} characters`);
}

function checkMs(v: Record<string, unknown>, name: string, problems: Problems): void {
  const x = v[name];
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0 || x > MAX_START_MS) problems.push(`${name} must be whole UTC ms`);
}

function checkEnd(v: Record<string, unknown>, problems: Problems): void {
  checkMs(v, 'endMs', problems);
  if (typeof v.startMs === 'number' && typeof v.endMs === 'number') {
    if (v.endMs < v.startMs) problems.push('endMs must not be before startMs');
    if (v.endMs - v.startMs > EVENT_MAX_DURATION_MS) problems.push('an event may last at most 24 h');
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ContractError('event record must be a JSON object');
  return value as Record<string, unknown>;
}

function common<T extends object>(v: Record<string, unknown>, out: T): T & { label?: string } {
  return v.label !== undefined ? { ...out, label: v.label as string } : out;
}

/** Checks a parsed version-1 record; lists every problem at once. */
export function parseEventRecord(value: unknown): EventRecord {
  const v = asObject(value);
  const problems: Problems = [];
  if (v.version !== EVENT_RECORD_VERSION) problems.push(`version must be ${EVENT_RECORD_VERSION}`);
  checkCommon(v, problems);
  checkEnd(v, problems);
  if (problems.length) throw new ContractError(`bad event record: ${problems.join('; ')}`);
  return common(v, {
    version: EVENT_RECORD_VERSION,
    deviceId: v.deviceId as string,
    eventId: v.eventId as string,
    type: v.type as string,
    startMs: v.startMs as number,
    endMs: v.endMs as number,
  } as EventRecord);
}

/** Checks any event record (version 1, or version 2 start or end); lists every problem at once. */
export function parseAnyEventRecord(value: unknown): AnyEventRecord {
  const v = asObject(value);
  if (v.version === EVENT_RECORD_VERSION) return parseEventRecord(v);
  const problems: Problems = [];
  if (v.version !== EVENT_LIFECYCLE_VERSION) problems.push(`version must be ${EVENT_RECORD_VERSION} or ${EVENT_LIFECYCLE_VERSION}`);
  if (v.phase !== EventPhase.START && v.phase !== EventPhase.END) problems.push('phase must be "start" or "end"');
  checkCommon(v, problems);
  if (v.phase === EventPhase.START) {
    const d = v.maxDurationMs;
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1000 || d > EVENT_MAX_DURATION_MS)
      problems.push('maxDurationMs must be whole ms from 1000 to 86400000');
  }
  if (v.phase === EventPhase.END) {
    checkEnd(v, problems);
    if (typeof v.endReason !== 'string' || !END_REASONS.has(v.endReason)) problems.push(`endReason must be one of ${[...END_REASONS].join(', ')}`);
  }
  if (problems.length) throw new ContractError(`bad event record: ${problems.join('; ')}`);
  const base = {
    version: EVENT_LIFECYCLE_VERSION,
    deviceId: v.deviceId as string,
    eventId: v.eventId as string,
    type: v.type as string,
    startMs: v.startMs as number,
  };
  if (v.phase === EventPhase.START) return common(v, { ...base, phase: EventPhase.START, maxDurationMs: v.maxDurationMs as number } as EventStartRecord);
  return common(v, { ...base, phase: EventPhase.END, endMs: v.endMs as number, endReason: v.endReason as EventEndReason } as EventEndRecord);
}

/** The record's JSON body as the device uploads it (checked first). */
export function serializeEventRecord(r: AnyEventRecord): string {
  return JSON.stringify(r.version === EVENT_RECORD_VERSION ? parseEventRecord(r) : parseAnyEventRecord(r));
}

/** Whether a record is the start of an event, its end, or (version 1) both. */
export function eventRecordPhases(r: AnyEventRecord): { start: boolean; end: boolean } {
  if (r.version === EVENT_RECORD_VERSION) return { start: true, end: true };
  return { start: r.phase === EventPhase.START, end: r.phase === EventPhase.END };
}
