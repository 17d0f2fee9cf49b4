import { ContractError } from './contract-error.ts';
import { assertDeviceId, assertEventId, assertImageId, assertInitId, assertKeyId } from './ids.ts';
import { MAX_TIME_MS } from './max-time.ts';

/**
 * The bucket's object key layout, shared by the device (which writes) and the cloud
 * (which parses what S3 reports). One bucket, seven top folders, device id first:
 *
 *   segments/{deviceId}/{YYYY}/{MM}/{DD}/{HH}/{startMs}-{seq}.ts   (UTC hour folders; .m4s for fMP4)
 *   init/{deviceId}/{initId}.mp4                                   (fMP4 init section, shared by its segments)
 *   keys/{deviceId}/{keyId}.bin                                    (RSA-OAEP wrapped data key)
 *   events/{deviceId}/{startMs}-{eventId}.json                     (event record: start, or version 1)
 *   events/{deviceId}/{startMs}-{eventId}.end.json                 (event record: end)
 *   heartbeats/{deviceId}/{atMs}.json                              (heartbeat, expires after a day)
 *   images/{deviceId}/{YYYY}/{MM}/{DD}/{HH}/{tsMs}-{imageId}.jpg       (picture, AES-128-CBC: kept as continuous footage)
 *   event-images/{deviceId}/{YYYY}/{MM}/{DD}/{HH}/{tsMs}-{imageId}.jpg (picture taken in an event: kept as event footage)
 *
 * Pictures live in two top folders because S3 lifecycle rules filter by key prefix, and
 * the device id comes right after the top folder: the folder is the only place the
 * retention class can go.
 */
export const TopFolder = {
  SEGMENTS: 'segments',
  INIT: 'init',
  KEYS: 'keys',
  EVENTS: 'events',
  HEARTBEATS: 'heartbeats',
  IMAGES: 'images',
  EVENT_IMAGES: 'event-images',
} as const;

/**
 * Every top folder a device writes (each followed by `{deviceId}/`), all write-once: the
 * IAM policy, the bucket's write-once rule, the indexer's notifications (all but init/:
 * the segments that use an init section name it) and the local S3 front all take this one list.
 */
export const DEVICE_FOLDERS = [
  TopFolder.SEGMENTS,
  TopFolder.INIT,
  TopFolder.KEYS,
  TopFolder.EVENTS,
  TopFolder.HEARTBEATS,
  TopFolder.IMAGES,
  TopFolder.EVENT_IMAGES,
] as const;

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
export interface InitKeyParts {
  deviceId: string;
  initId: string;
}
export interface WrappedKeyKeyParts {
  deviceId: string;
  keyId: string;
}
export interface EventKeyParts {
  deviceId: string;
  startMs: number;
  eventId: string;
}
export interface HeartbeatKeyParts {
  deviceId: string;
  atMs: number;
}
/** A picture: when it was taken, the device's id for it, and whether it keeps event retention. */
export interface ImageKeyParts {
  deviceId: string;
  tsMs: number;
  imageId: string;
  event: boolean;
}

export type ParsedObjectKey =
  | ({ kind: 'segment' } & Required<SegmentKeyParts>)
  | ({ kind: 'init' } & InitKeyParts)
  | ({ kind: 'key' } & WrappedKeyKeyParts)
  | ({ kind: 'event'; phase: 'start' | 'end' } & EventKeyParts)
  | ({ kind: 'heartbeat' } & HeartbeatKeyParts)
  | ({ kind: 'image' } & ImageKeyParts);

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

export function imageKey(p: ImageKeyParts): string {
  assertDeviceId(p.deviceId);
  assertWhole('tsMs', p.tsMs, MAX_START_MS);
  assertImageId(p.imageId);
  return `${p.event ? TopFolder.EVENT_IMAGES : TopFolder.IMAGES}/${p.deviceId}/${hourFolder(p.tsMs)}/${imageName(p)}.jpg`;
}

/** A picture's name in URLs and the index: `{tsMs}-{imageId}` (unique per camera). */
export function imageName(p: Pick<ImageKeyParts, 'tsMs' | 'imageId'>): string {
  return `${p.tsMs}-${p.imageId}`;
}

const IMAGE_NAME_RE = /^(\d{1,15})-([A-Za-z0-9]{1,32})$/;

/** Reads `{tsMs}-{imageId}`; undefined when the name is not one imageName could make. */
export function parseImageName(name: string): { tsMs: number; imageId: string } | undefined {
  const m = IMAGE_NAME_RE.exec(name);
  if (!m || Number(m[1]) > MAX_START_MS) return undefined;
  return { tsMs: Number(m[1]), imageId: m[2]! };
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
const IMAGE_RE = /^(images|event-images)\/([^/]+)\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/(\d{1,15})-([^/]+)\.jpg$/;

/**
 * Parses an object key (already URL-decoded). Throws ContractError for anything that is
 * not exactly what `segmentKey`, `initKey`, `wrappedKeyKey`, `eventKey`, `eventEndKey`,
 * `heartbeatKey` or `imageKey` would build, including a
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
    if (tryBuild(() => initKey(parts)) !== key)
      throw new ContractError(`invalid init key ${JSON.stringify(key)}: expected init/{deviceId}/{32 hex digits}.mp4`);
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
  m = IMAGE_RE.exec(key);
  if (m) {
    const parts = { deviceId: m[2]!, tsMs: Number(m[3]), imageId: m[4]!, event: m[1] === TopFolder.EVENT_IMAGES };
    const rebuilt = tryBuild(() => imageKey(parts));
    if (rebuilt !== key) throw new ContractError(`invalid image key ${JSON.stringify(key)}: expected ${rebuilt ?? 'a valid device id, tsMs and image id'}`);
    return { kind: 'image', ...parts };
  }
  throw new ContractError(`object key ${JSON.stringify(key.slice(0, 200))} is not under ${DEVICE_FOLDERS.map((f) => `${f}/`).join(', ')} in camrec's layout`);
}

function tryBuild(build: () => string): string | undefined {
  try {
    return build();
  } catch {
    return undefined;
  }
}
