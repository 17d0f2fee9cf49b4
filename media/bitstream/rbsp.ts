/**
 * NAL payload -> RBSP: drop each emulation_prevention_three_byte (the 0x03 in 00 00 03)
 * (H.264 7.4.1, H.265 7.4.2). `limit` stops after that many output bytes (headers need only a few).
 */
export function unescapeRbsp(nal: Uint8Array, start = 0, limit = Infinity): Uint8Array {
  const end = nal.byteLength;
  const out = new Uint8Array(Math.max(0, Math.min(end - start, limit)));
  let o = 0;
  let zeros = 0;
  for (let i = start; i < end && o < out.byteLength; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 0x03) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[o++] = b;
  }
  return o === out.byteLength ? out : out.subarray(0, o);
}
