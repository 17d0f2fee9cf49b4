import { START_CODE_4 } from '../../media/h264/nal-unit-type.ts';

/**
 * A copy of `bytes` in memory of its own. (Buffer#slice is a view, not a copy: cached
 * parameter sets and queued audio frames must not point into a caller's chunk.)
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NAL units, each after a 4-byte start code, in one new buffer (Annex B). */
export function joinNals(nals: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const nal of nals) parts.push(START_CODE_4, nal);
  return Buffer.concat(parts);
}
