import { ContractError } from './contract-error.ts';
import { assertKeyId, assertInitId } from './ids.ts';
import type { SegmentContainer } from './object-keys.ts';
import { MAX_TIME_MS } from './max-time.ts';

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
  CONTAINER: 'container',
  INIT_ID: 'init-id',
} as const;

/** Content-Type of an MPEG-TS segment. */
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
/** Content-Type of an fMP4 media segment and of an init section. */
export const MP4_CONTENT_TYPE = 'video/mp4';
export const INIT_CONTENT_TYPE = MP4_CONTENT_TYPE;
export const segmentContentType = (container: SegmentContainer): string => (container === 'fmp4' ? MP4_CONTENT_TYPE : SEGMENT_CONTENT_TYPE);
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
  /** RFC 6381 codecs, e.g. `avc1.64001f,mp4a.40.2` or `hvc1.1.6.L93.B0,mp4a.40.2` (H.265 only in fMP4). */
  codecs: string;
  width: number;
  height: number;
  /** `ts` or `fmp4`; parseSegmentMetadata always sets it (metadata written before fMP4 has none: `ts`). @default 'ts' */
  container?: SegmentContainer;
  /** fMP4 only: the init section the segment needs, `init/{deviceId}/{initId}.mp4`. */
  initId?: string;
}

const IV_RE = /^[0-9a-f]{32}$/;
/** avc1.PPCCLL (RFC 6381) or hvc1/hev1.[A-C]profile.compat.tier+level[.constraint bytes] (ISO 14496-15 E.3), then optionally AAC. */
const AVC_CODEC_RE = /^avc1\.[0-9A-Fa-f]{6}$/;
const HEVC_CODEC_RE = /^(hvc1|hev1)\.[ABC]?\d{1,3}\.[0-9A-Fa-f]{1,8}\.[LH]\d{1,3}(\.[0-9A-Fa-f]{1,2}){0,6}$/;
const AAC_CODEC_RE = /^mp4a\.40\.\d{1,2}$/;
const CONTAINERS: readonly SegmentContainer[] = ['ts', 'fmp4'];
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
    [SegmentMeta.CONTAINER]: m.container ?? 'ts',
  };
  if (m.initId !== undefined) meta[SegmentMeta.INIT_ID] = m.initId;
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
    container: (m[SegmentMeta.CONTAINER] ?? 'ts') as SegmentContainer,
  };
  try {
    assertKeyId(out.keyId);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (!IV_RE.test(out.iv)) problems.push(`${SegmentMeta.IV} must be 32 lowercase hex digits`);
  if (!CONTAINERS.includes(out.container!)) problems.push(`${SegmentMeta.CONTAINER}=${JSON.stringify(String(out.container).slice(0, 20))} must be ts or fmp4`);
  const initId = m[SegmentMeta.INIT_ID];
  if (out.container === 'fmp4') {
    try {
      out.initId = assertInitId(initId);
    } catch (e) {
      problems.push(`${SegmentMeta.INIT_ID}: ${(e as Error).message} (an fMP4 segment names its init section)`);
    }
  } else if (initId !== undefined) {
    problems.push(`${SegmentMeta.INIT_ID} is only for fMP4 segments (container ${out.container})`);
  }
  const [video, audio, ...more] = out.codecs.split(',');
  const hevc = HEVC_CODEC_RE.test(video ?? '');
  if (!(AVC_CODEC_RE.test(video ?? '') || hevc) || (audio !== undefined && !AAC_CODEC_RE.test(audio)) || more.length) {
    problems.push(
      `${SegmentMeta.CODECS}=${JSON.stringify(out.codecs.slice(0, 60))} must look like avc1.64001f or hvc1.1.6.L93.B0, optionally followed by ,mp4a.40.2`,
    );
  } else if (hevc && out.container !== 'fmp4') {
    problems.push(`${SegmentMeta.CODECS}=${out.codecs}: H.265 segments are fMP4 (container ${out.container})`);
  }
  if (problems.length) throw new ContractError(`bad segment metadata: ${problems.join('; ')}`);
  return out;
}
