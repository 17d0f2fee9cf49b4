import { MediaArgumentError } from '../media-error.ts';
import { BOX_HEADER_BYTES, FULL_BOX_HEADER_BYTES } from './iso-bmff-constants.ts';

const TWO_32 = 2 ** 32;

/** Big-endian unsigned 16 bits at `at`. */
export function writeU16(out: Uint8Array, at: number, v: number): void {
  out[at] = (v >>> 8) & 0xff;
  out[at + 1] = v & 0xff;
}

/** Big-endian unsigned 24 bits at `at`. */
export function writeU24(out: Uint8Array, at: number, v: number): void {
  out[at] = (v >>> 16) & 0xff;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = v & 0xff;
}

/** Big-endian 32 bits at `at` (unsigned, or a signed value in two's complement). */
export function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = (v >>> 24) & 0xff;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

/** Big-endian unsigned 64 bits at `at`, for any non-negative safe integer. */
export function writeU64(out: Uint8Array, at: number, v: number): void {
  writeU32(out, at, Math.floor(v / TWO_32));
  writeU32(out, at + 4, v % TWO_32);
}

/** A four-character code (ASCII) at `at`. */
export function writeFourCc(out: Uint8Array, at: number, code: string): void {
  for (let i = 0; i < 4; i++) out[at + i] = code.charCodeAt(i);
}

/**
 * Box header (14496-12 4.2), 8 bytes: size(32) type(32); size counts the header. Returns
 * the offset after it.
 */
export function writeBoxHeader(out: Uint8Array, at: number, size: number, type: string): number {
  if (size >= TWO_32) throw new MediaArgumentError(`box '${type}' of ${size} bytes needs a 64-bit size: keep segments under 4 GB`);
  writeU32(out, at, size);
  writeFourCc(out, at + 4, type);
  return at + BOX_HEADER_BYTES;
}

/** FullBox header, 12 bytes: size(32) type(32) version(8) flags(24). Returns the offset after it. */
export function writeFullBoxHeader(out: Uint8Array, at: number, size: number, type: string, version: number, flags: number): number {
  writeBoxHeader(out, at, size, type);
  out[at + 8] = version;
  writeU24(out, at + 9, flags);
  return at + FULL_BOX_HEADER_BYTES;
}

/** A box around `parts` (payload fields and child boxes, in order): its size is computed from theirs. */
export function box(type: string, ...parts: readonly Uint8Array[]): Uint8Array {
  let size = BOX_HEADER_BYTES;
  for (const p of parts) size += p.byteLength;
  const out = new Uint8Array(size);
  let at = writeBoxHeader(out, 0, size, type);
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** A FullBox (version, flags) around `parts`. */
export function fullBox(type: string, version: number, flags: number, ...parts: readonly Uint8Array[]): Uint8Array {
  const vf = new Uint8Array(4);
  vf[0] = version;
  writeU24(vf, 1, flags);
  return box(type, vf, ...parts);
}

/**
 * Fixed-layout payload bytes, written field by field: the byte count is given up front and
 * checked at the end (a field list that does not add up to its layout throws).
 */
export class PayloadWriter {
  private readonly out: Uint8Array;
  private at = 0;

  constructor(readonly byteLength: number) {
    this.out = new Uint8Array(byteLength);
  }

  u8(v: number): this {
    this.out[this.at++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    writeU16(this.out, this.at, v);
    this.at += 2;
    return this;
  }

  u24(v: number): this {
    writeU24(this.out, this.at, v);
    this.at += 3;
    return this;
  }

  u32(v: number): this {
    writeU32(this.out, this.at, v);
    this.at += 4;
    return this;
  }

  u64(v: number): this {
    writeU64(this.out, this.at, v);
    this.at += 8;
    return this;
  }

  fourCc(code: string): this {
    writeFourCc(this.out, this.at, code);
    this.at += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.out.set(b, this.at);
    this.at += b.byteLength;
    return this;
  }

  zeros(n: number): this {
    this.at += n;
    return this;
  }

  done(): Uint8Array {
    if (this.at !== this.byteLength) throw new Error(`payload layout wrote ${this.at} of ${this.byteLength} bytes (a bug in its writer)`);
    return this.out;
  }
}
