import { PTS_WRAP } from './ts-constants.ts';

const TWO_30 = 2 ** 30;

/**
 * PTS or DTS field (ISO 13818-1 2.4.3.7), 5 bytes at `offset`:
 *   prefix(4) ts[32..30](3) marker(1) | ts[29..15](15) marker(1) | ts[14..0](15) marker(1)
 * `ticks` is any non-negative 90 kHz count; it is wrapped to 33 bits.
 */
export function writeTimestampField(out: Uint8Array, offset: number, prefix: number, ticks: number): void {
  const ts = ticks % PTS_WRAP;
  const high3 = Math.floor(ts / TWO_30) & 0x07;
  const low30 = ts % TWO_30;
  out[offset] = (prefix << 4) | (high3 << 1) | 1;
  out[offset + 1] = (low30 >>> 22) & 0xff;
  out[offset + 2] = (((low30 >>> 15) & 0x7f) << 1) | 1;
  out[offset + 3] = (low30 >>> 7) & 0xff;
  out[offset + 4] = ((low30 & 0x7f) << 1) | 1;
}

/** Reads a 33-bit PTS/DTS field written as above. */
export function readTimestampField(data: Uint8Array, offset: number): number {
  const high3 = (data[offset]! >> 1) & 0x07;
  const mid15 = (data[offset + 1]! << 7) | (data[offset + 2]! >> 1);
  const low15 = (data[offset + 3]! << 7) | (data[offset + 4]! >> 1);
  return high3 * TWO_30 + mid15 * 2 ** 15 + low15;
}

/**
 * program_clock_reference (2.4.3.5), 6 bytes at `offset`:
 *   base(33) reserved(6)=111111 extension(9); base at 90 kHz, extension at 27 MHz (0 here).
 */
export function writePcrField(out: Uint8Array, offset: number, baseTicks: number, extension = 0): void {
  const base = baseTicks % PTS_WRAP;
  out[offset] = Math.floor(base / 2 ** 25) & 0xff;
  out[offset + 1] = Math.floor(base / 2 ** 17) & 0xff;
  out[offset + 2] = Math.floor(base / 2 ** 9) & 0xff;
  out[offset + 3] = Math.floor(base / 2) & 0xff;
  out[offset + 4] = ((base % 2) << 7) | 0x7e | ((extension >> 8) & 0x01);
  out[offset + 5] = extension & 0xff;
}

/** Reads the 33-bit PCR base. */
export function readPcrBase(data: Uint8Array, offset: number): number {
  return data[offset]! * 2 ** 25 + data[offset + 1]! * 2 ** 17 + data[offset + 2]! * 2 ** 9 + data[offset + 3]! * 2 + (data[offset + 4]! >> 7);
}
