import { createHash } from 'node:crypto';
import { ContractError } from './contract-error.ts';
import type { SegmentSummaryFields } from './index-item.ts';

/*
 * The segments of a pack as fixed-size binary records (PackItem.segs) and their checksums
 * (PackChecksumsItem.sums): the layout, its encoder, and its readers. The index items that
 * carry them are in pack-index.ts.
 */

/** One segment inside a pack: where its bytes are, and what a playlist and a clip need. */
export interface PackedSegment extends SegmentSummaryFields {
  /** Byte offset of the segment in the pack object. */
  offset: number;
  /** Byte length (the segment object's size). */
  length: number;
  /** Base64 SHA-256 of the segment's bytes (what the camera sent as x-amz-checksum-sha256); undefined when none was recorded. */
  checksumSha256: string | undefined;
  codecs: string;
  width: number;
  height: number;
}

/**
 * Segment record layout in `PackItem.segs`, big-endian, SEGMENT_RECORD_BYTES each, in pack
 * byte order (ascending start); a segment's offset is the sum of the lengths before it:
 *
 *   0  u32   startMs - hourMs
 *   4  u32   durationMs
 *   8  f64   seq      (a whole number up to 2^53)
 *   16 f64   discSeq
 *   24 u16   index into `keys`
 *   26 u16   index into `formats`
 *   28 u32   length in bytes
 *   32 16 B  AES-128 IV
 *
 * Checksums are 32 bytes each, in the same order, in the pack's PackChecksumsItem.
 */
export const SEGMENT_RECORD_BYTES = 48;
/** Most segments one pack holds (an hour of 1 s segments is 3,600): both of its items stay far under DynamoDB's 400 KB. */
export const MAX_SEGMENTS_PER_PACK = 4000;
const IV_BYTES = 16;
const SHA256_BYTES = 32;
const U16_MAX = 0xffff;
const U32_MAX = 0xffff_ffff;
const HEX32_RE = /^[0-9a-f]{32}$/;

export interface EncodedPackSegments {
  segs: Uint8Array;
  keys: string[];
  formats: string[];
  /** SHA256_BYTES per segment, zero where none was recorded. */
  sums: Uint8Array;
}

/** A pack's format entry: `codecs|width|height`, and `|initId` for an fMP4 segment (its init section is never packed). */
const formatOf = (s: Pick<PackedSegment, 'codecs' | 'width' | 'height' | 'initId'>): string =>
  `${s.codecs}|${s.width}|${s.height}${s.initId === undefined ? '' : `|${s.initId}`}`;

/** The init section id of a pack format entry (formatOf), undefined for MPEG-TS. */
export function initIdOfFormat(format: string | undefined): string | undefined {
  const parts = format?.split('|');
  return parts?.[3] || undefined;
}

/** Packs segment records (see SEGMENT_RECORD_BYTES); throws ContractError when a field does not fit. */
export function encodePackedSegments(hourMs: number, segments: readonly PackedSegment[]): EncodedPackSegments {
  if (segments.length > MAX_SEGMENTS_PER_PACK) throw new ContractError(`a pack holds at most ${MAX_SEGMENTS_PER_PACK} segments, got ${segments.length}`);
  const keys: string[] = [];
  const formats: string[] = [];
  const keyIndex = new Map<string, number>();
  const formatIndex = new Map<string, number>();
  const out = new Uint8Array(segments.length * SEGMENT_RECORD_BYTES);
  const sums = new Uint8Array(segments.length * SHA256_BYTES);
  const view = new DataView(out.buffer);
  let offset = 0;
  segments.forEach((s, i) => {
    const at = i * SEGMENT_RECORD_BYTES;
    const rel = s.startMs - hourMs;
    if (!Number.isSafeInteger(rel) || rel < 0 || rel > U32_MAX) throw new ContractError(`segment ${s.startMs} does not start in pack hour ${hourMs}`);
    if (s.offset !== offset) throw new ContractError(`segment ${s.startMs} is at offset ${s.offset}, expected ${offset}: packs are the segments back to back`);
    if (!Number.isSafeInteger(s.length) || s.length < 1 || s.length > U32_MAX) throw new ContractError(`segment ${s.startMs} has length ${s.length}`);
    if (!HEX32_RE.test(s.iv)) throw new ContractError(`segment ${s.startMs} has IV ${JSON.stringify(s.iv)}: must be 32 hex digits`);
    let k = keyIndex.get(s.keyId);
    if (k === undefined) keyIndex.set(s.keyId, (k = keys.push(s.keyId) - 1));
    const f = formatOf(s);
    let fi = formatIndex.get(f);
    if (fi === undefined) formatIndex.set(f, (fi = formats.push(f) - 1));
    if (k > U16_MAX || fi > U16_MAX) throw new ContractError('too many distinct keys or formats in one pack');
    view.setUint32(at, rel);
    view.setUint32(at + 4, s.durationMs);
    view.setFloat64(at + 8, s.seq);
    view.setFloat64(at + 16, s.discSeq);
    view.setUint16(at + 24, k);
    view.setUint16(at + 26, fi);
    view.setUint32(at + 28, s.length);
    out.set(Buffer.from(s.iv, 'hex'), at + 32);
    if (s.checksumSha256 !== undefined) {
      const sum = Buffer.from(s.checksumSha256, 'base64');
      if (sum.length !== SHA256_BYTES)
        throw new ContractError(`segment ${s.startMs} has checksum ${JSON.stringify(s.checksumSha256)}: must be a base64 SHA-256`);
      sums.set(sum, i * SHA256_BYTES);
    }
    offset += s.length;
  });
  return { segs: out, keys, formats, sums };
}

/**
 * Visits encodePackedSegments' records in order with their fields (no object per record):
 * the fast path of a 24 h playlist, which reads 14,400 of them. Throws ContractError when
 * the bytes do not have its layout.
 */
export function forEachPackedRecord(
  hourMs: number,
  segs: Uint8Array,
  keys: readonly string[],
  visit: (
    startMs: number,
    durationMs: number,
    seq: number,
    discSeq: number,
    keyId: string,
    iv: string,
    offset: number,
    length: number,
    formatIndex: number,
    index: number,
  ) => void,
): void {
  if (segs.length % SEGMENT_RECORD_BYTES !== 0)
    throw new ContractError(`pack segment records are ${SEGMENT_RECORD_BYTES} bytes each, got ${segs.length} bytes`);
  const view = new DataView(segs.buffer, segs.byteOffset, segs.byteLength);
  // One Buffer over the records: each IV is then one native hex slice, no copy.
  const bytes = Buffer.from(segs.buffer, segs.byteOffset, segs.byteLength);
  let offset = 0;
  for (let at = 0, i = 0; at < segs.length; at += SEGMENT_RECORD_BYTES, i++) {
    const keyId = keys[view.getUint16(at + 24)];
    if (keyId === undefined) throw new ContractError('a pack segment record names a key the pack item does not list');
    const length = view.getUint32(at + 28);
    visit(
      hourMs + view.getUint32(at),
      view.getUint32(at + 4),
      view.getFloat64(at + 8),
      view.getFloat64(at + 16),
      keyId,
      bytes.toString('hex', at + 32, at + 32 + IV_BYTES),
      offset,
      length,
      view.getUint16(at + 26),
      i,
    );
    offset += length;
  }
}

/** Reads encodePackedSegments' records back, with the checksums when `sums` (the pack's PackChecksumsItem) is given. */
export function decodePackedSegments(
  hourMs: number,
  segs: Uint8Array,
  keys: readonly string[],
  formats: readonly string[],
  sums?: Uint8Array,
): PackedSegment[] {
  const out: PackedSegment[] = [];
  forEachPackedRecord(hourMs, segs, keys, (startMs, durationMs, seq, discSeq, keyId, iv, offset, length, formatIndex, i) => {
    const format = formats[formatIndex];
    if (format === undefined) throw new ContractError('a pack segment record names a format the pack item does not list');
    const [codecs, width, height, initId] = format.split('|');
    const sum = sums?.subarray(i * SHA256_BYTES, (i + 1) * SHA256_BYTES);
    const seg: PackedSegment = {
      startMs,
      durationMs,
      seq,
      discSeq,
      keyId,
      iv,
      offset,
      length,
      checksumSha256: sum && sum.length === SHA256_BYTES && sum.some((b) => b !== 0) ? Buffer.from(sum).toString('base64') : undefined,
      codecs: codecs ?? '',
      width: Number(width),
      height: Number(height),
    };
    if (initId) seg.initId = initId;
    out.push(seg);
  });
  return out;
}

/** 16 hex digits of SHA-256 over the packed segments' names and checksums, in pack order. */
export function packDigest(segments: readonly Pick<PackedSegment, 'startMs' | 'seq' | 'checksumSha256' | 'length'>[]): string {
  const h = createHash('sha256');
  for (const s of segments) h.update(`${s.startMs}-${s.seq}:${s.length}:${s.checksumSha256 ?? ''}\n`);
  return h.digest('hex').slice(0, 16);
}
