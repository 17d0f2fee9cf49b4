import { ContractError } from './contract-error.ts';
import { assertDeviceId, assertEventId, assertKeyId } from './ids.ts';

/**
 * The bucket's object key layout, shared by the device (which writes) and the cloud
 * (which parses what S3 reports). One bucket, three top folders, device id first:
 *
 *   segments/{deviceId}/{YYYY}/{MM}/{DD}/{HH}/{startMs}-{seq}.ts   (UTC hour folders)
 *   keys/{deviceId}/{keyId}.bin                                    (RSA-OAEP wrapped data key)
 *   events/{deviceId}/{startMs}-{eventId}.json                     (event record)
 */
export const TopFolder = { SEGMENTS: 'segments', KEYS: 'keys', EVENTS: 'events' } as const;

/** Latest time a key may carry: 9999-12-31. Keeps startMs at 13 digits or fewer. */
const MAX_START_MS = 253_402_300_799_999;
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

export interface SegmentKeyParts { deviceId: string; startMs: number; seq: number }
export interface WrappedKeyKeyParts { deviceId: string; keyId: string }
export interface EventKeyParts { deviceId: string; startMs: number; eventId: string }

export type ParsedObjectKey =
  | ({ kind: 'segment' } & SegmentKeyParts)
  | ({ kind: 'key' } & WrappedKeyKeyParts)
  | ({ kind: 'event' } & EventKeyParts);

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
  return `${TopFolder.SEGMENTS}/${p.deviceId}/${hourFolder(p.startMs)}/${p.startMs}-${p.seq}.ts`;
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

/** The prefix a device may write under in a top folder (for IAM and the local S3 front). */
export function devicePrefix(folder: (typeof TopFolder)[keyof typeof TopFolder], deviceId: string): string {
  return `${folder}/${assertDeviceId(deviceId)}/`;
}

const SEGMENT_RE = /^segments\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/(\d{1,15})-(\d{1,16})\.ts$/;
const KEY_RE = /^keys\/([^/]+)\/([^/]+)\.bin$/;
const EVENT_RE = /^events\/([^/]+)\/(\d{1,15})-([^/]+)\.json$/;

/**
 * Parses an object key (already URL-decoded). Throws ContractError for anything that is
 * not exactly what `segmentKey`, `wrappedKeyKey` or `eventKey` would build, including a
 * segment whose hour folder disagrees with its start time.
 */
export function parseObjectKey(key: string): ParsedObjectKey {
  if (typeof key !== 'string' || key.length > 1024) throw new ContractError('invalid object key: not a string of at most 1024 characters');
  let m = SEGMENT_RE.exec(key);
  if (m) {
    const parts = { deviceId: m[1]!, startMs: Number(m[6]), seq: Number(m[7]) };
    const rebuilt = tryBuild(() => segmentKey(parts));
    if (rebuilt !== key) throw new ContractError(`invalid segment key ${JSON.stringify(key)}: expected ${rebuilt ?? 'a valid device id, startMs and seq'}`);
    return { kind: 'segment', ...parts };
  }
  m = KEY_RE.exec(key);
  if (m) {
    const parts = { deviceId: m[1]!, keyId: m[2]! };
    if (tryBuild(() => wrappedKeyKey(parts)) !== key) throw new ContractError(`invalid key object key ${JSON.stringify(key)}`);
    return { kind: 'key', ...parts };
  }
  m = EVENT_RE.exec(key);
  if (m) {
    const parts = { deviceId: m[1]!, startMs: Number(m[2]), eventId: m[3]! };
    if (tryBuild(() => eventKey(parts)) !== key) throw new ContractError(`invalid event key ${JSON.stringify(key)}`);
    return { kind: 'event', ...parts };
  }
  throw new ContractError(`object key ${JSON.stringify(key.slice(0, 200))} is not under segments/, keys/ or events/ in camrec's layout`);
}

function tryBuild(build: () => string): string | undefined {
  try {
    return build();
  } catch {
    return undefined;
  }
}
