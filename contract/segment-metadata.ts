import { ContractError } from './contract-error.ts';
import { MAX_TIME_MS } from './max-time.ts';
import { assertKeyId } from './ids.ts';

/**
 * Segment metadata travels as S3 user metadata (`x-amz-meta-{name}`); the indexer reads
 * it back with HeadObject, where the SDK hands it over lower-cased without the prefix.
 */
export const SegmentMeta = {
  START_MS: 'start-ms',
  DURATION_MS: 'duration-ms',
  SEQ: 'seq',
  DISC_SEQ: 'disc-seq',
  KEY_ID: 'key-id',
  IV: 'iv',
  CODECS: 'codecs',
  WIDTH: 'width',
  HEIGHT: 'height',
} as const;

export const SEGMENT_CONTENT_TYPE = 'video/mp2t';
/**
 * The additional checksum every device PUT carries: base64 SHA-256 of the body. S3 refuses
 * a body that does not match it (BadDigest) and keeps it; the indexer records it and the
 * compactor checks packed bytes against it.
 */
export const CHECKSUM_SHA256_HEADER = 'x-amz-checksum-sha256';
const SHA256_BASE64_RE = /^[A-Za-z0-9+/]{43}=$/;
/** True for a base64 SHA-256 (44 characters, one '=' of padding). */
export const isSha256Base64 = (s: unknown): s is string => typeof s === 'string' && SHA256_BASE64_RE.test(s);
export const WRAPPED_KEY_CONTENT_TYPE = 'application/octet-stream';
export const EVENT_CONTENT_TYPE = 'application/json';

export interface SegmentMetadata {
  /** UTC ms of the first frame. */
  startMs: number;
  durationMs: number;
  /** Per device, +1 per segment, never decreasing; the live playlist's media sequence number. */
  seq: number;
  /** Per device, +1 at every discontinuity (boot, gap, encoder change). */
  discSeq: number;
  keyId: string;
  /** AES-128-CBC IV, 32 lowercase hex digits. */
  iv: string;
  /** RFC 6381 codecs, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs: string;
  width: number;
  height: number;
}

const IV_RE = /^[0-9a-f]{32}$/;
const CODECS_RE = /^(avc1\.[0-9A-Fa-f]{6})(,mp4a\.40\.\d{1,2})?$/;
const MAX_DURATION_MS = 10 * 60 * 1000;
const MAX_DIMENSION = 16_384;

/** The S3 user metadata of a segment; throws ContractError (listing every problem) if any field is out of range. */
export function toS3Metadata(m: SegmentMetadata): Record<string, string> {
  const meta: Record<string, string> = {
    [SegmentMeta.START_MS]: String(m.startMs),
    [SegmentMeta.DURATION_MS]: String(m.durationMs),
    [SegmentMeta.SEQ]: String(m.seq),
    [SegmentMeta.DISC_SEQ]: String(m.discSeq),
    [SegmentMeta.KEY_ID]: m.keyId,
    [SegmentMeta.IV]: m.iv,
    [SegmentMeta.CODECS]: m.codecs,
    [SegmentMeta.WIDTH]: String(m.width),
    [SegmentMeta.HEIGHT]: String(m.height),
  };
  parseSegmentMetadata(meta); // what the device writes is exactly what the indexer accepts
  return meta;
}

function whole(meta: Record<string, string | undefined>, name: string, min: number, max: number, problems: string[]): number {
  const raw = meta[name];
  if (raw === undefined) {
    problems.push(`${name} is missing`);
    return 0;
  }
  if (!/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name}=${JSON.stringify(raw.slice(0, 40))} must be a whole number from ${min} to ${max}`);
    return 0;
  }
  return Number(raw);
}

/** Reads and checks metadata as HeadObject returns it; lists every problem at once. */
export function parseSegmentMetadata(meta: Record<string, string | undefined> | undefined): SegmentMetadata {
  const m = meta ?? {};
  const problems: string[] = [];
  const out: SegmentMetadata = {
    startMs: whole(m, SegmentMeta.START_MS, 0, MAX_TIME_MS, problems),
    durationMs: whole(m, SegmentMeta.DURATION_MS, 1, MAX_DURATION_MS, problems),
    seq: whole(m, SegmentMeta.SEQ, 0, Number.MAX_SAFE_INTEGER, problems),
    discSeq: whole(m, SegmentMeta.DISC_SEQ, 0, Number.MAX_SAFE_INTEGER, problems),
    keyId: m[SegmentMeta.KEY_ID] ?? '',
    iv: m[SegmentMeta.IV] ?? '',
    codecs: m[SegmentMeta.CODECS] ?? '',
    width: whole(m, SegmentMeta.WIDTH, 1, MAX_DIMENSION, problems),
    height: whole(m, SegmentMeta.HEIGHT, 1, MAX_DIMENSION, problems),
  };
  try {
    assertKeyId(out.keyId);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (!IV_RE.test(out.iv)) problems.push(`${SegmentMeta.IV} must be 32 lowercase hex digits`);
  if (!CODECS_RE.test(out.codecs)) problems.push(`${SegmentMeta.CODECS}=${JSON.stringify(out.codecs.slice(0, 60))} must look like avc1.64001f or avc1.64001f,mp4a.40.2`);
  if (problems.length) throw new ContractError(`bad segment metadata: ${problems.join('; ')}`);
  return out;
}
