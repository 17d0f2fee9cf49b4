/**
 * Independent writers for the fuzz round trips (not the media core's own code): RBSP
 * escaping (H.264 7.4.1), Annex-B framing (annex B), and an SPS writer (7.3.2.1.1 with
 * VUI timing, E.1.1) over an MSB-first bit writer with Exp-Golomb codes (9.1).
 */

/** Inserts emulation_prevention_three_byte: 00 00 0x (x <= 3) becomes 00 00 03 0x. */
export function escapeRbsp(rbsp: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  // A NAL unit ends in a non-zero byte (rbsp_trailing_bits / cabac_zero_word rules).
  if (out.length && out[out.length - 1] === 0) out.push(3);
  return Uint8Array.from(out);
}

/** NAL units joined with 3- or 4-byte start codes, plus trailing_zero_8bits after some. */
export function buildAnnexB(nals: readonly Uint8Array[], fourByte: readonly boolean[], trailingZeros: readonly number[]): Uint8Array {
  const parts: number[] = [];
  nals.forEach((nal, i) => {
    if (fourByte[i % Math.max(1, fourByte.length)]) parts.push(0);
    parts.push(0, 0, 1, ...nal);
    for (let z = 0; z < (trailingZeros[i % Math.max(1, trailingZeros.length)] ?? 0); z++) parts.push(0);
  });
  return Uint8Array.from(parts);
}

export class BitWriter {
  private readonly bits: number[] = [];
  u(n: number, v: number): this {
    for (let i = n - 1; i >= 0; i--) this.bits.push(Math.floor(v / 2 ** i) % 2);
    return this;
  }
  ue(v: number): this {
    const x = v + 1;
    const len = Math.floor(Math.log2(x));
    this.u(len, 0);
    return this.u(len + 1, x);
  }
  se(v: number): this {
    return this.ue(v > 0 ? 2 * v - 1 : -2 * v);
  }
  /** rbsp_trailing_bits: a 1 then zeros to the byte boundary. */
  bytesWithTrailingBits(): Uint8Array {
    const b = [...this.bits, 1];
    while (b.length % 8) b.push(0);
    const out = new Uint8Array(b.length / 8);
    for (let i = 0; i < b.length; i++) out[i >> 3]! |= b[i]! << (7 - (i & 7));
    return out;
  }
}

export interface SpsFields {
  profileIdc: 66 | 77 | 100;
  constraintFlags: number;
  levelIdc: number;
  spsId: number;
  widthMbs: number;
  heightMapUnits: number;
  frameMbsOnly: boolean;
  picOrderCntType: 0 | 2;
  log2MaxFrameNumMinus4: number;
  /** In chroma units (4:2:0: 2 luma samples across, 2 * (2 - frameMbsOnly) down). */
  crop?: { left: number; right: number; top: number; bottom: number };
  timing?: { numUnitsInTick: number; timeScale: number };
}

/** seq_parameter_set_rbsp() for 4:2:0 8-bit, no scaling matrices; returns the escaped NAL (header 0x67). */
export function writeSps(f: SpsFields): Uint8Array {
  const w = new BitWriter().u(8, f.profileIdc).u(8, f.constraintFlags).u(8, f.levelIdc).ue(f.spsId);
  if (f.profileIdc === 100) w.ue(1).ue(0).ue(0).u(1, 0).u(1, 0); // chroma 4:2:0, 8-bit, no bypass, no matrices
  w.ue(f.log2MaxFrameNumMinus4).ue(f.picOrderCntType);
  if (f.picOrderCntType === 0) w.ue(2);
  w.ue(1)
    .u(1, 0)
    .ue(f.widthMbs - 1)
    .ue(f.heightMapUnits - 1)
    .u(1, f.frameMbsOnly ? 1 : 0);
  if (!f.frameMbsOnly) w.u(1, 0);
  w.u(1, 1);
  if (f.crop) w.u(1, 1).ue(f.crop.left).ue(f.crop.right).ue(f.crop.top).ue(f.crop.bottom);
  else w.u(1, 0);
  if (f.timing) {
    // vui: no aspect ratio, overscan, video signal or chroma loc; timing_info_present.
    w.u(1, 1).u(1, 0).u(1, 0).u(1, 0).u(1, 0).u(1, 1).u(32, f.timing.numUnitsInTick).u(32, f.timing.timeScale).u(1, 1);
    w.u(1, 0).u(1, 0).u(1, 0).u(1, 0); // nal_hrd, vcl_hrd, pic_struct, bitstream_restriction
  } else {
    w.u(1, 0);
  }
  const rbsp = w.bytesWithTrailingBits();
  const nal = new Uint8Array(rbsp.length + 1);
  nal[0] = 0x67;
  nal.set(rbsp, 1);
  return Uint8Array.of(0x67, ...escapeRbsp(rbsp));
}
