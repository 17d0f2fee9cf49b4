import { ContractError } from './contract-error.ts';
import { assertDeviceId, assertEventId, assertKeyId, assertInitId } from './ids.ts';
import { MAX_TIME_MS } from './max-time.ts';

/**
 * The bucket's object key layout, shared by the device (which writes) and the cloud
 * (which parses what S3 reports). One bucket, five top folders, device id first:
 *
 *   segments/{deviceId}/{YYYY}/{MM}/{DD}/{HH}/{startMs}-{seq}.ts   (UTC hour folders; .m4s for fMP4)
 *   init/{deviceId}/{initId}.mp4                                   (fMP4 init section, shared by its segments)
 *   keys/{deviceId}/{keyId}.bin                                    (RSA-OAEP wrapped data key)
 *   events/{deviceId}/{startMs}-{eventId}.json                     (event record: start, or version 1)
 *   events/{deviceId}/{startMs}-{eventId}.end.json                 (event record: end)
 *   heartbeats/{deviceId}/{atMs}.json                              (heartbeat, expires after a day)
 */
export const TopFolder = { SEGMENTS: 'segments', INIT: 'init', KEYS: 'keys', EVENTS: 'events', HEARTBEATS: 'heartbeats' } as const;

/**
 * Every top folder a device writes (each followed by `{deviceId}/`), all write-once: the
 * IAM policy, the bucket's write-once rule, the indexer's notifications (all but init/:
 * the segments that use an init section name it) and the local S3 front all take this one list.
 */
export const DEVICE_FOLDERS = [TopFolder.SEGMENTS, TopFolder.INIT, TopFolder.KEYS, TopFolder.EVENTS, TopFolder.HEARTBEATS] as const;

/** Segment containers and the file extension of each in the segment's key. */
export type SegmentContainer = 'ts' | 'fmp4';
export const SEGMENT_EXTENSION: Readonly<Record<SegmentContainer, string>> = { ts: 'ts', fmp4: 'm4s' };

const MAX_START_MS = MAX_TIME_MS;
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

export interface SegmentKeyParts {
  deviceId: string;
  startMs: number;
  seq: number;
  /** @default 'ts' */
  container?: SegmentContainer;
}
export interface InitKeyParts { deviceId: string; initId: string }
export interface WrappedKeyKeyParts { deviceId: string; keyId: string }
export interface EventKeyParts { deviceId: string; startMs: number; eventId: string }
export interface HeartbeatKeyParts { deviceId: string; atMs: number }

export type ParsedObjectKey =
  | ({ kind: 'segment' } & Required<SegmentKeyParts>)
  | ({ kind: 'init' } & InitKeyParts)
  | ({ kind: 'key' } & WrappedKeyKeyParts)
  | ({ kind: 'event'; phase: 'start' | 'end' } & EventKeyParts)
  | ({ kind: 'heartbeat' } & HeartbeatKeyParts);

function assertWhole(kind: string, v: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < 0 || v > max) {
    throw new ContractError(`invalid ${kind} ${v}: must be a whole number from 0 to ${max}`);
  }
  return v;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The UTC hour folder `YYYY/MM/DD/HH` a segment starting at `startMs` lives in. */
export function hourFolder(startMs: number): string {
  const d = new Date(startMs);
  return `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${pad2(d.getUTCHours())}`;
}

export function segmentKey(p: SegmentKeyParts): string {
  assertDeviceId(p.deviceId);
  assertWhole('startMs', p.startMs, MAX_START_MS);
  assertWhole('seq', p.seq, MAX_SEQ);
  const container = p.container ?? 'ts';
  if (!(container in SEGMENT_EXTENSION)) throw new ContractError(`invalid container ${JSON.stringify(container)}: must be ts or fmp4`);
  return `${TopFolder.SEGMENTS}/${p.deviceId}/${hourFolder(p.startMs)}/${p.startMs}-${p.seq}.${SEGMENT_EXTENSION[container]}`;
}

/** An fMP4 init section: written once, named by the hash of its bytes, shared by every segment whose metadata names it. */
export function initKey(p: InitKeyParts): string {
  assertDeviceId(p.deviceId);
  assertInitId(p.initId);
  return `${TopFolder.INIT}/${p.deviceId}/${p.initId}.mp4`;
}

export function wrappedKeyKey(p: WrappedKeyKeyParts): string {
  assertDeviceId(p.deviceId);
  assertKeyId(p.keyId);
  return `${TopFolder.KEYS}/${p.deviceId}/${p.keyId}.bin`;
}

export function eventKey(p: EventKeyParts): string {
  assertDeviceId(p.deviceId);
  assertWhole('startMs', p.startMs, MAX_START_MS);
  assertEventId(p.eventId);
  return `${TopFolder.EVENTS}/${p.deviceId}/${p.startMs}-${p.eventId}.json`;
}

/** Where the end record of an event goes: beside its start record. */
export function eventEndKey(p: EventKeyParts): string {
  return eventKey(p).replace(/\.json$/, '.end.json');
}

export function heartbeatKey(p: HeartbeatKeyParts): string {
  assertDeviceId(p.deviceId);
  assertWhole('atMs', p.atMs, MAX_START_MS);
  return `${TopFolder.HEARTBEATS}/${p.deviceId}/${p.atMs}.json`;
}

/** The prefix a device may write under in a top folder (for IAM and the local S3 front). */
export function devicePrefix(folder: (typeof TopFolder)[keyof typeof TopFolder], deviceId: string): string {
  return `${folder}/${assertDeviceId(deviceId)}/`;
}

const SEGMENT_RE = /^segments\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/(\d{1,15})-(\d{1,16})\.(ts|m4s)$/;
const INIT_RE = /^init\/([^/]+)\/([^/]+)\.mp4$/;
const KEY_RE = /^keys\/([^/]+)\/([^/]+)\.bin$/;
const EVENT_END_RE = /^events\/([^/]+)\/(\d{1,15})-([^/]+)\.end\.json$/;
const EVENT_RE = /^events\/([^/]+)\/(\d{1,15})-([^/]+)\.json$/;
const HEARTBEAT_RE = /^heartbeats\/([^/]+)\/(\d{1,15})\.json$/;

/**
 * Parses an object key (already URL-decoded). Throws ContractError for anything that is
 * not exactly what `segmentKey`, `initKey`, `wrappedKeyKey`, `eventKey`, `eventEndKey` or
 * `heartbeatKey` would build, including a
 * segment whose hour folder disagrees with its start time.
 */
export function parseObjectKey(key: string): ParsedObjectKey {
  if (typeof key !== 'string' || key.length > 1024) throw new ContractError('invalid object key: not a string of at most 1024 characters');
  let m = SEGMENT_RE.exec(key);
  if (m) {
    const container: SegmentContainer = m[8] === 'm4s' ? 'fmp4' : 'ts';
    const parts = { deviceId: m[1]!, startMs: Number(m[6]), seq: Number(m[7]), container };
    const rebuilt = tryBuild(() => segmentKey(parts));
    if (rebuilt !== key) throw new ContractError(`invalid segment key ${JSON.stringify(key)}: expected ${rebuilt ?? 'a valid device id, startMs and seq'}`);
    return { kind: 'segment', ...parts };
  }
  m = INIT_RE.exec(key);
  if (m) {
    const parts = { deviceId: m[1]!, initId: m[2]! };
    if (tryBuild(() => initKey(parts)) !== key) throw new ContractError(`invalid init key ${JSON.stringify(key)}: expected init/{deviceId}/{32 hex digits}.mp4`);
    return { kind: 'init', ...parts };
  }
  m = KEY_RE.exec(key);
  if (m) {
    const parts = { deviceId: m[1]!, keyId: m[2]! };
    if (tryBuild(() => wrappedKeyKey(parts)) !== key) throw new ContractError(`invalid key object key ${JSON.stringify(key)}`);
    return { kind: 'key', ...parts };
  }
  m = EVENT_END_RE.exec(key);
  if (m) {
    const parts = { deviceId: m[1]!, startMs: Number(m[2]), eventId: m[3]! };
    if (tryBuild(() => eventEndKey(parts)) !== key) throw new ContractError(`invalid event key ${JSON.stringify(key)}`);
    return { kind: 'event', phase: 'end', ...parts };
  }
  m = EVENT_RE.exec(key);
  if (m) {
    const parts = { deviceId: m[1]!, startMs: Number(m[2]), eventId: m[3]! };
    if (tryBuild(() => eventKey(parts)) !== key) throw new ContractError(`invalid event key ${JSON.stringify(key)}`);
    return { kind: 'event', phase: 'start', ...parts };
  }
  m = HEARTBEAT_RE.exec(key);
  if (m) {
    const parts = { deviceId: m[1]!, atMs: Number(m[2]) };
    if (tryBuild(() => heartbeatKey(parts)) !== key) throw new ContractError(`invalid heartbeat key ${JSON.stringify(key)}`);
    return { kind: 'heartbeat', ...parts };
  }
  throw new ContractError(`object key ${JSON.stringify(key.slice(0, 200))} is not under segments/, init/, keys/, events/ or heartbeats/ in camrec's layout`);
}

function tryBuild(build: () => string): string | undefined {
  try {
    return build();
  } catch {
    return undefined;
  }
}
