import { describe, expect, it } from 'vitest';
import { AnnexBSplitter } from '../../../media/bitstream/annexb-splitter.ts';
import { unescapeRbsp } from '../../../media/bitstream/rbsp.ts';

// Annotated Annex-B: a 4-byte start code, a 3-byte one, trailing_zero_8bits, an escaped 00 00 03.
const STREAM = Uint8Array.from([
  0x00, 0x00, 0x00, 0x01, /* start code (4) */ 0x09, 0xf0 /* AUD */, 0x00, 0x00, 0x01, /* start code (3) */ 0x67, 0x42, 0x00, 0x00, 0x03, 0x01,
  0x1e /* SPS-like with 00 00 03 */, 0x00, 0x00, /* trailing_zero_8bits */ 0x00, 0x00, 0x00, 0x01, /* start code (4) */ 0x68, 0xce, 0x3c, 0x80 /* PPS */, 0x00,
  0x00, 0x01, 0x65, 0x88, 0x84, 0x00, 0x10 /* IDR slice, ends the stream */,
]);
const EXPECTED = [
  [0x09, 0xf0],
  [0x67, 0x42, 0x00, 0x00, 0x03, 0x01, 0x1e],
  [0x68, 0xce, 0x3c, 0x80],
  [0x65, 0x88, 0x84, 0x00, 0x10],
];

function split(chunks: Uint8Array[]): { nals: number[][]; offsets: number[]; garbage: number } {
  const nals: number[][] = [];
  const offsets: number[] = [];
  const s = new AnnexBSplitter((e) => {
    nals.push([...e.nal]);
    offsets.push(e.offset);
  });
  for (const c of chunks) s.push(c);
  s.flush();
  return { nals, offsets, garbage: s.leadingGarbageBytes };
}

describe('AnnexBSplitter', () => {
  it('finds 3- and 4-byte start codes and strips trailing zeros', () => {
    const r = split([STREAM]);
    expect(r.nals).toEqual(EXPECTED);
    expect(r.offsets).toEqual([4, 9, 22, 29]);
    expect(r.garbage).toBe(0);
  });

  it('gives the same NAL units when the input is split at every offset', () => {
    for (let cut = 0; cut <= STREAM.byteLength; cut++) {
      expect(split([STREAM.subarray(0, cut), STREAM.subarray(cut)]).nals, `cut at ${cut}`).toEqual(EXPECTED);
    }
  });

  it('gives the same NAL units when fed one byte at a time or in random pieces', () => {
    expect(split([...STREAM].map((b) => Uint8Array.of(b))).nals).toEqual(EXPECTED);
    for (let seed = 1; seed < 50; seed++) {
      const chunks: Uint8Array[] = [];
      let x = seed;
      for (let at = 0; at < STREAM.byteLength;) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        const n = 1 + (x % 5);
        chunks.push(STREAM.subarray(at, at + n));
        at += n;
      }
      expect(split(chunks).nals).toEqual(EXPECTED);
    }
  });

  it('counts bytes before the first start code as garbage, not leading zeros', () => {
    const r = split([Uint8Array.of(0xde, 0xad, 0x00, 0x00, 0x00, 0x00, 0x01, 0x09, 0xf0)]);
    expect(r.nals).toEqual([[0x09, 0xf0]]);
    expect(r.garbage).toBe(2);
  });
});

describe('unescapeRbsp', () => {
  it('drops emulation_prevention_three_byte after 00 00', () => {
    expect([...unescapeRbsp(Uint8Array.of(0x67, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x03), 1)]).toEqual([0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03]);
  });

  it('gives no bytes (not a RangeError) when the header is longer than the unit (an H.265 unit cut to 1 byte)', () => {
    expect(unescapeRbsp(Uint8Array.of(0x42), 2).byteLength).toBe(0);
    expect(unescapeRbsp(new Uint8Array(0), 1).byteLength).toBe(0);
  });
});

describe('AnnexBSplitter memory cap', () => {
  it('a NAL unit longer than maxNalBytes is dropped as it grows (nothing held), counted once, and splitting resyncs at the next start code', () => {
    const nals: number[][] = [];
    const oversize: Array<{ offset: number; droppedBytes: number }> = [];
    const s = new AnnexBSplitter(
      (e) => nals.push([...e.nal]),
      1024,
      (e) => oversize.push(e),
    );
    s.push(Uint8Array.of(0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x41));
    const junk = new Uint8Array(4096).fill(0xab);
    for (let i = 0; i < 64; i++) {
      s.push(junk);
      expect(s.bytesPushed - s.heldFrom).toBeLessThanOrEqual(1024);
    }
    s.push(Uint8Array.of(0, 0, 1, 0x65, 0x88, 0x84));
    s.flush();
    expect(nals).toEqual([
      [0x09, 0xf0],
      [0x65, 0x88, 0x84],
    ]);
    expect(oversize).toHaveLength(1);
    expect(oversize[0]!.offset).toBe(10);
    // The NAL header byte and the junk (+ the zeros of the next start code, which end the dropped unit).
    expect(s.droppedBytes - (1 + 64 * 4096)).toBeLessThanOrEqual(2);
    expect(s.droppedBytes).toBeGreaterThanOrEqual(1 + 64 * 4096);
  });
});
