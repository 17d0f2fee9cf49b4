/**
 * NAL payload -> RBSP: drop each emulation_prevention_three_byte (the 0x03 in 00 00 03)
 * (H.264 7.4.1, H.265 7.4.2). `limit` stops after that many output bytes (headers need only a few).
 */
export function unescapeRbsp(nal: Uint8Array, start = 0, limit = Infinity): Uint8Array {
  const out = new Uint8Array(Math.max(0, Math.min(nal.byteLength - start, limit)));
  const o = unescapeRbspInto(nal, start, out);
  return o === out.byteLength ? out : out.subarray(0, o);
}

/**
 * unescapeRbsp into `out` (up to its length, from `nal[start]`); returns the bytes written.
 * For per-slice header reads into one scratch buffer: no allocation per NAL unit.
 */
export function unescapeRbspInto(nal: Uint8Array, start: number, out: Uint8Array): number {
  const end = nal.byteLength;
  const cap = out.byteLength;
  let o = 0;
  let zeros = 0;
  for (let i = start; i < end && o < cap; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 0x03) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[o++] = b;
  }
  return o;
}
