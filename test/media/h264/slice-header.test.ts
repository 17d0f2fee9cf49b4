import { describe, expect, it } from 'vitest';
import { BitReader, BitReaderOverrun } from '../../../media/bitstream/bit-reader.ts';
import { parseSliceHeaderStart } from '../../../media/h264/slice-header.ts';

/** Bits as a string ('1 010 ...', spaces ignored) -> bytes, the last byte padded with zeros. */
function bits(s: string): number[] {
  const b = s.replace(/ /g, '');
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 8) out.push(parseInt(b.slice(i, i + 8).padEnd(8, '0'), 2));
  return out;
}

describe('parseSliceHeaderStart (H.264 7.3.3: first_mb_in_slice, slice_type, pic_parameter_set_id, all ue(v))', () => {
  it('reads the three fields of an IDR slice and of a B slice', () => {
    // IDR (0x65): first_mb 0 = '1', slice_type 7 (I, all slices) = '0001000', pps 0 = '1'
    expect(parseSliceHeaderStart(Uint8Array.of(0x65, ...bits('1 0001000 1'), 0x88))).toEqual({ firstMbInSlice: 0, sliceType: 2, ppsId: 0 });
    // non-IDR (0x41): first_mb 3 = '00100', slice_type 1 (B) = '010', pps 2 = '011'
    expect(parseSliceHeaderStart(Uint8Array.of(0x41, ...bits('00100 010 011'), 0xff))).toEqual({ firstMbInSlice: 3, sliceType: 1, ppsId: 2 });
  });

  it('skips emulation prevention bytes inside the header (00 00 03)', () => {
    // first_mb_in_slice 2^24 - 2: 23 zeros, 1, 23 ones; then slice_type 0 (P) = '1', pps 0 = '1'.
    // Its first bytes are 00 00 01, which an encoder escapes to 00 00 03 01.
    const header = bits('0'.repeat(23) + '1' + '1'.repeat(23) + '1 1');
    expect(header.slice(0, 3)).toEqual([0, 0, 1]);
    const escaped = [0, 0, 0x03, ...header.slice(2)];
    expect(parseSliceHeaderStart(Uint8Array.of(0x41, ...escaped))).toEqual({ firstMbInSlice: 2 ** 24 - 2, sliceType: 0, ppsId: 0 });
  });

  it('a truncated header throws BitReaderOverrun, and the next slice still parses (nothing carried over between calls)', () => {
    const full = Uint8Array.of(0x41, ...bits('00100 010 011'), 0xff);
    const long = Uint8Array.of(0x41, ...bits('1 1 1'), ...new Array<number>(40).fill(0xaa));
    expect(parseSliceHeaderStart(long)).toEqual({ firstMbInSlice: 0, sliceType: 0, ppsId: 0 });
    // 00000000 00000000: a ue(v) longer than the two bytes there are.
    expect(() => parseSliceHeaderStart(Uint8Array.of(0x41, 0x00, 0x00))).toThrow(BitReaderOverrun);
    expect(parseSliceHeaderStart(full)).toEqual({ firstMbInSlice: 3, sliceType: 1, ppsId: 2 });
  });
});

describe('BitReader', () => {
  it('ue(v) gives 2^lz - 1 + bits for short and long codes (shift below 30 leading zeros, power above)', () => {
    const r = new BitReader(Uint8Array.of(...bits('1 010 011 00100 ' + '0'.repeat(31) + '1' + '1'.repeat(31))));
    expect([r.ue(), r.ue(), r.ue(), r.ue(), r.ue()]).toEqual([0, 1, 2, 3, 2 ** 32 - 2]);
  });

  it('reset() reads other bytes from their first bit, up to the length given', () => {
    const r = new BitReader(Uint8Array.of(0xff));
    expect(r.u(8)).toBe(0xff);
    const scratch = Uint8Array.of(0b1010_0000, 0xff, 0xff);
    r.reset(scratch, 1);
    expect(r.bitsLeft()).toBe(8);
    expect(r.u(3)).toBe(0b101);
    expect(() => r.u(6)).toThrow(BitReaderOverrun);
  });
});
