import { describe, expect, it } from 'vitest';
import { AnnexBSplitter } from '../../../media/bitstream/annexb-splitter.ts';
import { annexBNalUnits } from '../../../media/bitstream/annexb-nal-units.ts';
import { HevcAccessUnitAssembler, type HevcAccessUnit } from '../../../media/h265/access-unit-assembler.ts';
import { HevcNalType, hevcNalType, isIrap, isSubLayerNonReference, parseHevcNalHeader, startsHevcAccessUnit } from '../../../media/h265/nal-unit-type.ts';
import { HevcParameterSets } from '../../../media/h265/parameter-sets.ts';
import { PicOrderCounter } from '../../../media/h265/picture-order-count.ts';
import { parseHevcSliceHeaderStart } from '../../../media/h265/slice-header.ts';
import { MediaInputError } from '../../../media/media-error.ts';
import { buildAnnexB } from '../../fuzz/media/h264-builders.ts';
import {
  MAIN_SPS,
  nalHeader,
  writeHevcPps,
  writeHevcSps,
  writeSliceSegment,
  writeVps,
  type HevcPpsFields,
  type HevcSpsFields,
} from '../../fuzz/media/h265-builders.ts';

describe('H.265 NAL unit header (7.3.1.2)', () => {
  it('reads type, layer and temporal id from the two header bytes', () => {
    // 40 01: 0 100000 000000 001 -> VPS, layer 0, TemporalId 0
    expect(parseHevcNalHeader(Uint8Array.of(0x40, 0x01))).toEqual({ forbiddenZeroBit: 0, type: 32, layerId: 0, temporalId: 0 });
    // 26 01: 0 010011 000000 001 -> IDR_W_RADL
    expect(parseHevcNalHeader(Uint8Array.of(0x26, 0x01))).toMatchObject({ type: HevcNalType.IDR_W_RADL });
    // 03 0b: 0 000001 100001 011 -> TRAIL_R, layer 33, TemporalId 2
    expect(parseHevcNalHeader(Uint8Array.of(0x03, 0x0b))).toEqual({ forbiddenZeroBit: 0, type: 1, layerId: 33, temporalId: 2 });
    // 80 00: forbidden bit, nuh_temporal_id_plus1 0
    expect(parseHevcNalHeader(Uint8Array.of(0x80, 0x00))).toMatchObject({ forbiddenZeroBit: 1, temporalId: -1 });
  });

  it('IRAP is types 16..21; sub-layer non-reference pictures are the even types below 16; AU starters per 7.4.2.4.4', () => {
    expect([...Array(64).keys()].filter(isIrap)).toEqual([16, 17, 18, 19, 20, 21]);
    expect([...Array(16).keys()].filter(isSubLayerNonReference)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect([...Array(64).keys()].filter((t) => t >= 32 && startsHevcAccessUnit(t))).toEqual([
      32, 33, 34, 35, 39, 41, 42, 43, 44, 48, 49, 50, 51, 52, 53, 54, 55,
    ]);
  });
});

const SPS: HevcSpsFields = {
  ...MAIN_SPS,
  codedWidth: 640,
  codedHeight: 360,
  log2MaxPocLsb: 4,
  ordering: [{ maxDecPicBufferingMinus1: 4, maxNumReorder: 2, maxLatencyPlus1: 0 }],
  shortTermRps: [{ negative: 1, positive: 0 }],
  vui: { timing: { numUnitsInTick: 1, timeScale: 25 } },
};
const PPS: HevcPpsFields = {
  ppsId: 0,
  spsId: 0,
  dependentSliceSegments: true,
  outputFlagPresent: true,
  numExtraSliceHeaderBits: 2,
  tiles: false,
  entropyCodingSync: false,
};
/** 640x360 in 64x64 CTBs: 10 x 6 = 60, so slice_segment_address is 6 bits. */
const CTBS = 60;
const slice = (type: number, first: boolean, pocLsb: number, extra: { temporalId?: number; dependent?: boolean; sliceType?: number } = {}) =>
  writeSliceSegment({
    type,
    first,
    ppsId: 0,
    pps: PPS,
    sps: SPS,
    picSizeInCtbs: CTBS,
    address: first ? 0 : 30,
    sliceType: extra.sliceType ?? 1,
    pocLsb,
    ...extra,
  });
const T = HevcNalType;
const aud = Uint8Array.of(...nalHeader(T.AUD), 0x50);
const prefixSei = Uint8Array.of(...nalHeader(T.PREFIX_SEI), 0x05, 0x01, 0xaa, 0x80);
const suffixSei = Uint8Array.of(...nalHeader(T.SUFFIX_SEI), 0x05, 0x01, 0xbb, 0x80);
const eos = Uint8Array.of(...nalHeader(T.EOS));

/**
 * An annotated H.265 stream (decode order), 7 access units:
 *   AU0 AUD VPS SPS PPS prefix-SEI | IDR_W_RADL (2 slice segments, the second dependent) | suffix SEI
 *   AU1 TRAIL_R  POC lsb 4 (P)
 *   AU2 TRAIL_N  POC lsb 2 (B, TemporalId 1: not a prevTid0Pic)
 *   AU3 TRAIL_R  POC lsb 8, then AU4 TRAIL_R lsb 12, AU5 TRAIL_R lsb 0 (lsb wrapped: 16 + 0 = 16)
 *   AU6 (after EOS) CRA lsb 5: starts a new coded video sequence (POC 5, Msb 0), then AU7 RASL_N lsb 3 (undecodable)
 */
const NALS: Uint8Array[] = [
  aud,
  writeVps(),
  writeHevcSps(SPS),
  writeHevcPps(PPS),
  prefixSei,
  slice(T.IDR_W_RADL, true, 0, { sliceType: 2 }),
  slice(T.IDR_W_RADL, false, 0, { dependent: true }),
  suffixSei,
  slice(T.TRAIL_R, true, 4, { sliceType: 1 }),
  slice(T.TRAIL_N, true, 2, { temporalId: 1, sliceType: 0 }),
  slice(T.TRAIL_R, true, 8),
  slice(T.TRAIL_R, true, 12),
  slice(T.TRAIL_R, true, 0),
  eos,
  slice(T.CRA_NUT, true, 5, { sliceType: 2 }),
  slice(T.RASL_N, true, 3, { sliceType: 0 }),
];
const STREAM = buildAnnexB(NALS, [true, false, true], [0, 0, 2]);

function summarize(aus: HevcAccessUnit[]) {
  return aus.map((a) => ({
    types: a.nals.map(hevcNalType),
    irap: a.isIrap,
    tid: a.temporalId,
    params: [a.vps.length, a.sps.length, a.pps.length],
    eos: a.endOfSequence,
    corrupt: a.corrupt,
  }));
}

function assemble(chunks: Uint8Array[]): HevcAccessUnit[] {
  const aus: HevcAccessUnit[] = [];
  const asm = new HevcAccessUnitAssembler((au) => aus.push(au));
  const s = new AnnexBSplitter((e) => asm.push(e));
  for (const c of chunks) s.push(c);
  s.flush();
  asm.flush();
  return aus;
}

const EXPECTED = [
  { types: [35, 32, 33, 34, 39, 19, 19, 40], irap: true, tid: 0, params: [1, 1, 1], eos: false, corrupt: undefined },
  { types: [1], irap: false, tid: 0, params: [0, 0, 0], eos: false, corrupt: undefined },
  { types: [0], irap: false, tid: 1, params: [0, 0, 0], eos: false, corrupt: undefined },
  { types: [1], irap: false, tid: 0, params: [0, 0, 0], eos: false, corrupt: undefined },
  { types: [1], irap: false, tid: 0, params: [0, 0, 0], eos: false, corrupt: undefined },
  { types: [1, 36], irap: false, tid: 0, params: [0, 0, 0], eos: true, corrupt: undefined },
  { types: [21], irap: true, tid: 0, params: [0, 0, 0], eos: false, corrupt: undefined },
  { types: [8], irap: false, tid: 0, params: [0, 0, 0], eos: false, corrupt: undefined },
];

describe('HevcAccessUnitAssembler (7.4.2.4.4)', () => {
  it('groups the annotated stream into its 8 access units', () => {
    expect(summarize(assemble([STREAM]))).toEqual(EXPECTED);
  });

  it('gives the same access units when the bytes are split at every offset', () => {
    for (let cut = 0; cut <= STREAM.byteLength; cut++) {
      expect(summarize(assemble([STREAM.subarray(0, cut), STREAM.subarray(cut)])), `cut at ${cut}`).toEqual(EXPECTED);
    }
  });

  it('annexBNalUnits splits one whole buffer into the same NAL units as the streaming splitter', () => {
    expect(annexBNalUnits(STREAM).map((n) => [...n])).toEqual(NALS.map((n) => [...n]));
  });

  it('marks corrupt units without throwing: forbidden bit, TemporalId -1, reserved VCL type, a picture missing its first slice', () => {
    const bad = [
      [Uint8Array.of(0x80 | (1 << 1), 0x01, 0x10), /forbidden_zero_bit/],
      [Uint8Array.of(1 << 1, 0x00, 0x10), /nuh_temporal_id_plus1 0/],
      [Uint8Array.of(22 << 1, 0x01, 0x80), /reserved nal_unit_type 22/],
      [Uint8Array.of(...nalHeader(T.TRAIL_R), 0x10), /first slice segment is missing/],
      [Uint8Array.of(0x02), /shorter than its 2-byte header/],
    ] as const;
    for (const [nal, message] of bad) {
      const aus = assemble([buildAnnexB([nal], [true], [0])]);
      expect(aus).toHaveLength(1);
      expect(aus[0]!.corrupt).toMatch(message);
    }
  });

  it('caps the access unit being collected at maxFrameBytes and lets its units go', () => {
    const aus: HevcAccessUnit[] = [];
    const asm = new HevcAccessUnitAssembler((au) => aus.push(au), 200);
    const big = Uint8Array.of(...nalHeader(T.TRAIL_R), 0x80, ...new Uint8Array(300).fill(0x55));
    asm.push({ nal: big, offset: 0, arrivalMs: 0 });
    asm.push({ nal: slice(T.TRAIL_R, true, 1), offset: 400, arrivalMs: 0 });
    asm.flush();
    expect(aus[0]!.corrupt).toMatch(/over 200 bytes/);
    expect(aus[0]!.nals).toHaveLength(0);
    expect(aus[0]!.nalBytes).toBe(big.byteLength);
    expect(aus[1]!.corrupt).toBeUndefined();
  });
});

describe('slice header start and picture order count (8.3.1)', () => {
  function orders() {
    const sets = new HevcParameterSets();
    const poc = new PicOrderCounter();
    return assemble([STREAM]).map((au) => {
      sets.update(au);
      const vcl = au.nals.find((n) => hevcNalType(n) === au.vclType)!;
      const h = parseHevcSliceHeaderStart(vcl, sets);
      const o = poc.next(au.vclType, au.temporalId, h.picOrderCntLsb, sets.sps(0)!.log2MaxPicOrderCntLsb);
      if (au.endOfSequence) poc.endOfSequence();
      return { lsb: h.picOrderCntLsb, sliceType: h.sliceType, poc: o.poc, starts: o.startsSequence, undecodable: o.undecodable };
    });
  }

  it('reads slice type and POC lsb past the dependent-slice flag, address, extra bits and pic_output_flag, and counts POC with the lsb wrap', () => {
    expect(orders()).toEqual([
      { lsb: 0, sliceType: 2, poc: 0, starts: true, undecodable: false },
      { lsb: 4, sliceType: 1, poc: 4, starts: false, undecodable: false },
      { lsb: 2, sliceType: 0, poc: 2, starts: false, undecodable: false },
      { lsb: 8, sliceType: 1, poc: 8, starts: false, undecodable: false },
      { lsb: 12, sliceType: 1, poc: 12, starts: false, undecodable: false },
      // lsb 0 after 12 with MaxLsb 16: 12 - 0 >= 8, so Msb = 16
      { lsb: 0, sliceType: 1, poc: 16, starts: false, undecodable: false },
      // after EOS a CRA starts a sequence (NoRaslOutputFlag 1), Msb 0; its RASL picture cannot be decoded
      { lsb: 5, sliceType: 2, poc: 5, starts: true, undecodable: false },
      { lsb: 3, sliceType: 0, poc: 3, starts: false, undecodable: true },
    ]);
  });

  it('a dependent slice segment returns early; a slice naming an unknown PPS is a MediaInputError', () => {
    const sets = new HevcParameterSets();
    sets.update({ vps: [writeVps()], sps: [writeHevcSps(SPS)], pps: [writeHevcPps(PPS)] });
    const dependent = parseHevcSliceHeaderStart(slice(T.TRAIL_R, false, 0, { dependent: true }), sets);
    expect(dependent).toMatchObject({ firstSliceSegmentInPic: false, dependent: true });
    expect(dependent.sliceType).toBeUndefined();
    const orphan = writeSliceSegment({ type: T.TRAIL_R, first: true, ppsId: 7, pps: PPS, sps: SPS, picSizeInCtbs: CTBS, sliceType: 1, pocLsb: 1 });
    expect(() => parseHevcSliceHeaderStart(orphan, sets)).toThrow(MediaInputError);
    expect(() => parseHevcSliceHeaderStart(orphan, sets)).toThrow(/PPS 7, which the stream has not sent/);
  });

  it('a decreasing lsb within half the range keeps Msb; a jump up by more than half goes back a cycle', () => {
    const c = new PicOrderCounter();
    const lsbs = [0, 250, 3, 130, 10]; // log2 8: Max 256
    const pocs = lsbs.map((lsb, i) => c.next(i === 0 ? T.IDR_W_RADL : T.TRAIL_R, 0, lsb, 8).poc);
    // 250 after 0: up by more than 128 -> Msb -256 (POC -6); 3 after 250: down by >= 128 -> back to Msb 0;
    // 130 after 3: up by 127 -> same Msb; 10 after 130: down by 120 (< 128) -> same Msb
    expect(pocs).toEqual([0, -6, 3, 130, 10]);
  });
});
