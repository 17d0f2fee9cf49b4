import { writeBoxHeader, writeU32 } from '../fmp4/box-writer.ts';
import { BOX_HEADER_BYTES, FULL_BOX_HEADER_BYTES } from '../fmp4/iso-bmff-constants.ts';
import { MediaArgumentError } from '../media-error.ts';

/** mvhd version 0: duration(32) follows creation_time(32) modification_time(32) timescale(32). */
const MVHD_DURATION_AT = FULL_BOX_HEADER_BYTES + 12;
/** mehd version 0 (14496-12 8.8.2): FullBox header + fragment_duration(32). */
const MEHD_BYTES = FULL_BOX_HEADER_BYTES + 4;

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const fourCc = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** Offset of the first child box of type `type` in [from, to), or -1. */
function findBox(b: Uint8Array, from: number, to: number, type: string): number {
  for (let at = from; at + BOX_HEADER_BYTES <= to;) {
    const size = u32(b, at);
    if (size < BOX_HEADER_BYTES) return -1;
    if (fourCc(b, at + 4) === type) return at;
    at += size;
  }
  return -1;
}

/**
 * An init segment (ftyp + moov, as Fmp4Muxer writes it) made into the head of a whole
 * fragmented MP4 file whose length is known up front: the movie header's duration
 * (mvhd, movie timescale) is set, and a movie extends header (mehd, fragment_duration in
 * the same timescale) is put first in mvex, so a player shows the length and a scrubber
 * before it has read a fragment. moov and mvex grow by 16 bytes.
 */
export function withMovieDuration(init: Uint8Array, durationMs: number): Uint8Array {
  if (!Number.isSafeInteger(durationMs) || durationMs < 0 || durationMs > 0xffff_ffff)
    throw new MediaArgumentError(`movie duration ${durationMs} ms must be a whole number of ms under 2^32`);
  const moov = findBox(init, 0, init.byteLength, 'moov');
  if (moov < 0) throw new MediaArgumentError('the init segment has no moov box');
  const moovEnd = moov + u32(init, moov);
  const mvhd = findBox(init, moov + BOX_HEADER_BYTES, moovEnd, 'mvhd');
  const mvex = findBox(init, moov + BOX_HEADER_BYTES, moovEnd, 'mvex');
  if (mvhd < 0 || mvex < 0 || init[mvhd + BOX_HEADER_BYTES] !== 0) throw new MediaArgumentError('the init segment has no version-0 mvhd or no mvex');
  const insertAt = mvex + BOX_HEADER_BYTES;
  const out = new Uint8Array(init.byteLength + MEHD_BYTES);
  out.set(init.subarray(0, insertAt), 0);
  // mehd: size(32) 'mehd' version(8)=0 flags(24)=0 fragment_duration(32)
  writeBoxHeader(out, insertAt, MEHD_BYTES, 'mehd');
  writeU32(out, insertAt + BOX_HEADER_BYTES, 0);
  writeU32(out, insertAt + FULL_BOX_HEADER_BYTES, durationMs);
  out.set(init.subarray(insertAt), insertAt + MEHD_BYTES);
  writeU32(out, moov, u32(init, moov) + MEHD_BYTES);
  writeU32(out, mvex, u32(init, mvex) + MEHD_BYTES);
  writeU32(out, mvhd + MVHD_DURATION_AT, durationMs);
  return out;
}
