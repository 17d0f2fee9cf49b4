import { ContractError } from './contract-error.ts';
import { MAX_TIME_MS } from './max-time.ts';
import { assertDeviceId } from './ids.ts';
import { hourFolder } from './object-keys.ts';

/**
 * Packed history: the cloud (never a device) concatenates one closed pack hour of one
 * camera's segment objects, byte for byte, into one object of a colder storage class.
 * Each segment was encrypted on its own (AES-128-CBC, its own IV), so each byte range of
 * a pack decrypts alone and plays as an EXT-X-BYTERANGE segment.
 *
 *   packs/{kind}/{deviceId}/{YYYY}/{MM}/{DD}/{HH}/{hourMs}-{packNo}-{digest}.ts
 *
 * `kind` is `continuous` or `event` (footage an event record covers, kept for
 * eventRetentionDays): one prefix per kind, so each has its own lifecycle rule and storage
 * class. `hourMs` is the start of the pack hour (UTC ms), `packNo` counts the packs of that
 * hour (a follow-up pack of late segments is the next number), `digest` is 16 hex digits of
 * SHA-256 over the packed segments' names and checksums, so two runs that pack the same
 * segments write the same key and two that pack different ones never share a key.
 *
 * In a playlist a pack is `packs/{kind}-{hourMs}-{packNo}-{digest}.ts` under the session,
 * and the API rebuilds the object key from that name and the session's camera.
 */
export const PACKS_FOLDER = 'packs';
export const PackKind = { CONTINUOUS: 'continuous', EVENT: 'event' } as const;
export type PackKind = (typeof PackKind)[keyof typeof PackKind];
export const PACK_CONTENT_TYPE = 'video/mp2t';
/** A pack's digest: 16 lowercase hex digits. */
export const PACK_DIGEST_PATTERN = /^[0-9a-f]{16}$/;
/** Most packs one hour may have (follow-ups included): the number is 4 digits in sort keys. */
export const MAX_PACKS_PER_HOUR = 10_000;

export interface PackRef {
  kind: PackKind;
  /** Start of the pack hour, UTC ms. */
  hourMs: number;
  packNo: number;
  digest: string;
}

const KINDS = new Set<string>(Object.values(PackKind));
const MAX_MS = MAX_TIME_MS;

function assertPackRef(p: PackRef): PackRef {
  if (!KINDS.has(p.kind)) throw new ContractError(`invalid pack kind ${JSON.stringify(p.kind)}: must be ${[...KINDS].join(' or ')}`);
  if (!Number.isSafeInteger(p.hourMs) || p.hourMs < 0 || p.hourMs > MAX_MS) throw new ContractError(`invalid pack hour ${p.hourMs}: must be whole UTC ms`);
  if (!Number.isSafeInteger(p.packNo) || p.packNo < 0 || p.packNo >= MAX_PACKS_PER_HOUR)
    throw new ContractError(`invalid pack number ${p.packNo}: must be 0..${MAX_PACKS_PER_HOUR - 1}`);
  if (!PACK_DIGEST_PATTERN.test(p.digest))
    throw new ContractError(`invalid pack digest ${JSON.stringify(String(p.digest).slice(0, 40))}: must be 16 lowercase hex digits`);
  return p;
}

/** The prefix of every pack of one kind (lifecycle rules, IAM). */
export const packPrefix = (kind: PackKind): string => `${PACKS_FOLDER}/${kind}/`;

export function packObjectKey(deviceId: string, p: PackRef): string {
  assertDeviceId(deviceId);
  assertPackRef(p);
  return `${packPrefix(p.kind)}${deviceId}/${hourFolder(p.hourMs)}/${p.hourMs}-${p.packNo}-${p.digest}.ts`;
}

/** The pack's name in a playlist (relative to the session): what `parsePackName` reads back. */
export function packName(p: PackRef): string {
  assertPackRef(p);
  return `${p.kind}-${p.hourMs}-${p.packNo}-${p.digest}.ts`;
}

const PACK_NAME_RE = /^(continuous|event)-(\d{1,15})-(\d{1,4})-([0-9a-f]{16})\.(ts|m4s)$/;

/**
 * Reads a pack name; throws ContractError for anything `packName` would not write. A
 * playlist names a pack of fMP4 segments with `.m4s` instead of `.ts` (players such as
 * Shaka guess the container from the extension); both name the same pack.
 */
export function parsePackName(name: string): PackRef {
  const m = typeof name === 'string' ? PACK_NAME_RE.exec(name) : null;
  if (!m)
    throw new ContractError(
      `invalid pack name ${JSON.stringify(String(name).slice(0, 80))}: packs are named {continuous|event}-{hourMs}-{packNo}-{16 hex}.ts (or .m4s)`,
    );
  const ref = assertPackRef({ kind: m[1] as PackKind, hourMs: Number(m[2]), packNo: Number(m[3]), digest: m[4]! });
  const expected = packName(ref).replace(/\.ts$/, `.${m[5]}`);
  if (expected !== name) throw new ContractError(`invalid pack name ${JSON.stringify(name)}: expected ${expected}`);
  return ref;
}

/** Start of the pack hour holding `ms`, for a pack period of `periodMs` (one hour in the cloud). */
export function packHourOf(ms: number, periodMs: number): number {
  return Math.floor(ms / periodMs) * periodMs;
}

/** One hour: the cloud's pack period. Local mode uses shorter ones for its demo. */
export const PACK_PERIOD_MS = 60 * 60 * 1000;

/**
 * Defaults of packed history that the stack, the handlers and local mode share:
 * - grace: an hour is packed this long after it closes (late uploads from a spool land first);
 * - drain: hot copies are deleted this long after their pack is indexed. It is the longest
 *   session (12 h) plus slack: a session is given a hot URI only if the pack did not exist
 *   `drain` before it could have started, so every hot URI it holds outlives it;
 * - hot index days: how long a segment's own index item lives (its hour is long packed by then).
 */
export const PackDefault = {
  GRACE_MS: 10 * 60 * 1000,
  DRAIN_MS: (43_200 + 300) * 1000,
  HOT_INDEX_DAYS: 3,
} as const;
