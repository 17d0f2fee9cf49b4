import { MediaInputError } from '../media-error.ts';
import { BOX_HEADER_BYTES, FULL_BOX_HEADER_BYTES } from './iso-bmff-constants.ts';

/**
 * Reading ISO BMFF (14496-12) boxes in place: the matched half of box-writer.ts. Pure
 * functions over `(data, offset)`; nothing is copied. A box that runs past its parent
 * throws MediaInputError (the bytes are not a whole box tree: truncated or not MP4).
 */

const TWO_32 = 2 ** 32;

/** A box found in a buffer: where it starts, where its payload starts (after the header) and where it ends. */
export interface BoxRef {
  type: string;
  start: number;
  /** First byte after the header (8 bytes, or 16 with a 64-bit size). */
  payload: number;
  end: number;
}

/** Big-endian unsigned 16 bits at `at`. */
export const readU16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
/** Big-endian unsigned 24 bits at `at`. */
export const readU24 = (b: Uint8Array, at: number): number => (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;
/** Big-endian unsigned 32 bits at `at`. */
export const readU32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
/** Big-endian signed 32 bits at `at` (two's complement). */
export const readI32 = (b: Uint8Array, at: number): number => (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
/** Big-endian unsigned 64 bits at `at` (exact below 2^53, which every time and size camrec meets is). */
export const readU64 = (b: Uint8Array, at: number): number => readU32(b, at) * TWO_32 + readU32(b, at + 4);
/** A four-character code (ASCII) at `at`. */
export const readFourCc = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** FullBox version(8) flags(24), the first 4 payload bytes of a full box. */
export function fullBoxHeader(b: Uint8Array, box: BoxRef): { version: number; flags: number; body: number } {
  if (box.end - box.payload < FULL_BOX_HEADER_BYTES - BOX_HEADER_BYTES) throw overrun(box, box.payload);
  return { version: b[box.payload]!, flags: readU24(b, box.payload + 1), body: box.payload + 4 };
}

/**
 * The boxes in [from, to), in order. Box header (4.2): size(32) type(32), then
 * largesize(64) when size is 1; size 0 means "to the end of the enclosing space".
 */
export function readBoxes(b: Uint8Array, from: number, to: number): BoxRef[] {
  const out: BoxRef[] = [];
  let at = from;
  while (at < to) {
    if (to - at < BOX_HEADER_BYTES)
      throw new MediaInputError(`${to - at} stray bytes at ${at} where a box header should be: the MP4 is truncated or corrupt`, { offset: at });
    let size = readU32(b, at);
    const type = readFourCc(b, at + 4);
    let payload = at + BOX_HEADER_BYTES;
    if (size === 1) {
      if (to - at < 16) throw new MediaInputError(`box '${type}' at ${at} has no room for its 64-bit size: the MP4 is truncated`, { offset: at });
      size = readU64(b, at + 8);
      payload += 8;
    } else if (size === 0) size = to - at;
    if (size < payload - at || at + size > to)
      throw new MediaInputError(`box '${type}' at ${at} has size ${size}, past the end of its parent at ${to}: the MP4 is truncated or corrupt`, {
        offset: at,
      });
    out.push({ type, start: at, payload, end: at + size });
    at += size;
  }
  return out;
}

/** The children of a container box (after `skip` payload bytes: stsd 8, a visual sample entry 78, ...). */
export const childBoxes = (b: Uint8Array, parent: BoxRef, skip = 0): BoxRef[] => readBoxes(b, parent.payload + skip, parent.end);

/** The first child of `parent` of `type`, or undefined. */
export const childBox = (b: Uint8Array, parent: BoxRef, type: string, skip = 0): BoxRef | undefined => childBoxes(b, parent, skip).find((c) => c.type === type);

/** The first box at a path of plain containers below `parent` ('mdia/minf/stbl'), or undefined. */
export function boxAt(b: Uint8Array, parent: BoxRef, path: string): BoxRef | undefined {
  let at: BoxRef | undefined = parent;
  for (const type of path.split('/')) {
    at = childBox(b, at, type);
    if (!at) return undefined;
  }
  return at;
}

function overrun(box: BoxRef, at: number): MediaInputError {
  return new MediaInputError(`box '${box.type}' at ${box.start} is too short for its fields: the MP4 is corrupt`, { offset: at });
}

/** Throws MediaInputError unless `bytes` more bytes at `at` lie inside `box`. */
export function needBytes(box: BoxRef, at: number, bytes: number): void {
  if (at + bytes > box.end) throw overrun(box, at);
}
