import { describe, expect, it } from 'vitest';
import { BitReaderOverrun } from '../../../media/bitstream/bit-reader.ts';
import { hevcCodecString, reverseBits32 } from '../../../media/h265/codecs-string.ts';
import { HevcParameterSets } from '../../../media/h265/parameter-sets.ts';
import { parseHevcPps } from '../../../media/h265/pps-parser.ts';
import { parseHevcSps } from '../../../media/h265/sps-parser.ts';
import { parseHevcVps } from '../../../media/h265/vps-parser.ts';
import { MediaError, MediaInputError } from '../../../media/media-error.ts';
import { MAIN_PTL, MAIN_SPS, writeHevcPps, writeHevcSps, type HevcSpsFields } from '../../fuzz/media/h265-builders.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/*
 * libx265 3.5 (Debian), 426x240 25 fps, preset ultrafast: the parameter sets it sends.
 * VPS: 40 01 (type 32) | 0c: vps_id 0, base layer internal 1, available 1, max_layers_minus1 0 ... |
 *      ff ff (vps_reserved_0xffff_16bits) | PTL: 01 (space 0, tier 0, profile 1 = Main)
 *      60 00 00 [03] 00 (compatibility flags 1 and 2) 90 00 00 [03] 00 00 [03] 00 (progressive,
 *      frame-only) 3c (level 60 = 2.0) | ordering info, layer sets, no timing. [03] = emulation prevention.
 */
const X265_VPS = hex('40010c01ffff01600000030090000003000003003c959409');
/*
 * SPS: 42 01 (type 33) | 01: vps 0, max_sub_layers_minus1 0, temporal_id_nesting 1 | the same PTL |
 * a0: sps_id ue '1' = 0, chroma_format_idc ue '010' = 1 (4:2:0), then pic_width ue = 432,
 * pic_height ue = 240, conformance_window (right 3 chroma units = 6 luma samples), 8-bit,
 * log2_max_poc_lsb 8, max_dec_pic_buffering 5, num_reorder 2, ... VUI: sar 1:1, timing 1/25.
 */
const X265_SPS = hex('42010101600000030090000003000003003ca00d880f1c9e595952930bc05a020000030002000003003210');
/*
 * PPS: 44 01 (type 34) | c0: pps_id ue '1' = 0, sps_id ue '1' = 0, dependent slices 0, output flag 0,
 * extra slice header bits 000, sign hiding 0 | 73: cabac_init 0, ref idx ue 0 ue 0, init_qp se 0,
 * constrained intra 0, transform skip 0, cu_qp_delta 1 + depth ue 0 | c1: cb/cr offsets se 0 se 0,
 * chroma offsets 0, weighted 0 0, transquant bypass 0, tiles 0, entropy_coding_sync 1 (x265's WPP) | 89.
 */
const X265_PPS = hex('4401c073c189');
/*
 * libx265 1920x1080 at 30000/1001 with hrd=1: High tier (PTL byte 21), level 120 (4.0),
 * coded 1920x1088 with 8 lines of conformance window, and VUI HRD parameters before the
 * bitstream restriction.
 */
const X265_HD_HRD_SPS = hex('420101216000000300900000030000030078a003c0801107cb965654a4c2f01680800001f480003a9830924b370000989680004c4b44');
/* libx265 Main 10, High tier, level 153 (5.1), 320x240 at 30 fps: profile 2, compatibility flag 2. */
const X265_MAIN10_SPS = hex('420101222000000300900000030000030099a00a080f136595952930bc05a020000003002000000303c1');

describe('H.265 VPS / SPS / PPS from libx265', () => {
  it('reads the VPS: id, layers, sub-layers and the Main profile at level 2', () => {
    const v = parseHevcVps(X265_VPS);
    expect(v).toMatchObject({ vpsId: 0, maxLayers: 1, maxSubLayers: 1, temporalIdNesting: true });
    expect(v.profileTierLevel).toMatchObject({ profileSpace: 0, tierFlag: 0, profileIdc: 1, compatibilityFlags: 0x60000000, levelIdc: 60 });
    expect([...v.profileTierLevel.constraintFlags]).toEqual([0x90, 0, 0, 0, 0, 0]);
    expect(v.timing).toBeUndefined();
  });

  it('reads the SPS: size after the conformance window, 4:2:0 8-bit, reorder depth, VUI timing and SAR', () => {
    const s = parseHevcSps(X265_SPS);
    expect(s).toMatchObject({
      vpsId: 0,
      spsId: 0,
      maxSubLayers: 1,
      chromaFormatIdc: 1,
      codedWidth: 432,
      codedHeight: 240,
      width: 426,
      height: 240,
      conformanceWindow: { left: 0, right: 3, top: 0, bottom: 0 },
      bitDepthLuma: 8,
      bitDepthChroma: 8,
      log2MaxPicOrderCntLsb: 8,
      maxDecPicBuffering: 5,
      maxNumReorderPics: 2,
      fps: 25,
    });
    expect(s.profileTierLevel).toMatchObject({ profileIdc: 1, levelIdc: 60, progressiveSource: true, interlacedSource: false, frameOnlyConstraint: true });
    expect(s.vui).toMatchObject({ sar: { width: 1, height: 1 }, timing: { numUnitsInTick: 1, timeScale: 25 }, fieldSeq: false });
    expect(hevcCodecString(s.profileTierLevel)).toBe('hvc1.1.6.L60.90');
  });

  it('reads the PPS ids, the slice header flags the POC needs, and wavefronts (hvcC parallelism)', () => {
    expect(parseHevcPps(X265_PPS)).toEqual({
      ppsId: 0,
      spsId: 0,
      dependentSliceSegmentsEnabled: false,
      outputFlagPresent: false,
      numExtraSliceHeaderBits: 0,
      tilesEnabled: false,
      entropyCodingSyncEnabled: true,
    });
  });

  it('reads through VUI HRD parameters (1080p, High tier, 8 lines of conformance window, 29.97 fps)', () => {
    const s = parseHevcSps(X265_HD_HRD_SPS);
    expect(s).toMatchObject({ codedWidth: 1920, codedHeight: 1088, width: 1920, height: 1080, maxNumReorderPics: 2 });
    expect(s.vui?.timing).toEqual({ numUnitsInTick: 1001, timeScale: 30000 });
    expect(s.fps).toBeCloseTo(29.97, 2);
    expect(hevcCodecString(s.profileTierLevel)).toBe('hvc1.1.6.H120.90');
  });

  it('gives Main 10 as profile 2 with compatibility flag 2 reversed to 4 (hvc1.2.4)', () => {
    const s = parseHevcSps(X265_MAIN10_SPS);
    expect(s).toMatchObject({ width: 320, height: 240, bitDepthLuma: 10, bitDepthChroma: 10 });
    expect(hevcCodecString(s.profileTierLevel)).toBe('hvc1.2.4.H153.90');
  });

  it('a truncated parameter set throws a MediaError at every cut, never a wrong answer', () => {
    for (const [name, nal, parse] of [
      ['VPS', X265_VPS, parseHevcVps],
      ['SPS', X265_SPS, parseHevcSps],
      ['PPS', X265_PPS, parseHevcPps],
    ] as const) {
      const whole = JSON.stringify((parse as (n: Uint8Array) => unknown)(nal));
      for (let cut = 0; cut < nal.byteLength; cut++) {
        let result: string | undefined;
        try {
          result = JSON.stringify((parse as (n: Uint8Array) => unknown)(nal.subarray(0, cut)));
        } catch (err) {
          expect(err, `${name} cut at ${cut}`).toBeInstanceOf(MediaError);
          continue;
        }
        // A cut inside the bits no field reads (the PPS tail) gives the same answer.
        expect(result, `${name} cut at ${cut}`).toBe(whole);
      }
    }
  });
});

const BASE: HevcSpsFields = {
  ...MAIN_SPS,
  codedWidth: 1280,
  codedHeight: 720,
  ordering: [{ maxDecPicBufferingMinus1: 4, maxNumReorder: 2, maxLatencyPlus1: 0 }],
  shortTermRps: [{ negative: 1, positive: 0 }],
};

describe('H.265 SPS syntax camrec must walk through (written by the test-side writer)', () => {
  it('sub-layers in profile_tier_level, per-sub-layer ordering info (the highest counts), scaling lists, PCM, inter-predicted RPS, long-term refs', () => {
    const s = parseHevcSps(
      writeHevcSps({
        ...BASE,
        ptl: {
          ...MAIN_PTL,
          subLayers: [
            [true, true],
            [false, true],
          ],
        },
        ordering: [
          { maxDecPicBufferingMinus1: 1, maxNumReorder: 0, maxLatencyPlus1: 0 },
          { maxDecPicBufferingMinus1: 2, maxNumReorder: 1, maxLatencyPlus1: 0 },
          { maxDecPicBufferingMinus1: 5, maxNumReorder: 3, maxLatencyPlus1: 7 },
        ],
        scalingList: 'explicit',
        pcm: true,
        shortTermRps: [
          { negative: 2, positive: 1 },
          {
            predictFlags: [
              [true, false],
              [false, true],
              [false, false],
              [true, false],
            ],
          },
          {
            predictFlags: [
              [false, false],
              [true, false],
              [false, true],
              [false, true],
            ],
          },
        ],
        longTermLsbs: [3, 200],
        vui: { timing: { numUnitsInTick: 1001, timeScale: 60000 }, restriction: { minSpatialSegmentationIdc: 200 } },
      }),
    );
    expect(s).toMatchObject({ maxSubLayers: 3, maxDecPicBuffering: 6, maxNumReorderPics: 3, maxLatencyIncreasePlus1: 7, width: 1280, height: 720 });
    expect(s.fps).toBeCloseTo(59.94, 2);
    expect(s.vui?.minSpatialSegmentationIdc).toBe(200);
  });

  it('conformance window in chroma units for 4:2:0, 4:2:2, 4:4:4 and monochrome', () => {
    const window = { left: 2, right: 3, top: 4, bottom: 5 };
    const sizes = ([0, 1, 2, 3] as const).map((chromaFormatIdc) => {
      const s = parseHevcSps(writeHevcSps({ ...BASE, chromaFormatIdc, window }));
      return [s.width, s.height];
    });
    // x units: 1, 2, 2, 1; y units: 1, 2, 1, 1 (table 6-1).
    expect(sizes).toEqual([
      [1275, 711],
      [1270, 702],
      [1270, 711],
      [1275, 711],
    ]);
  });

  it('VUI: extended SAR, colour description, default display window, field_seq and both HRDs with sub-picture parameters', () => {
    const s = parseHevcSps(
      writeHevcSps({
        ...BASE,
        vui: {
          sar: { idc: 255, width: 4, height: 3 },
          colour: { primaries: 9, transfer: 16, matrix: 9, fullRange: true },
          chromaLoc: true,
          fieldSeq: true,
          defaultDisplayWindow: true,
          timing: { numUnitsInTick: 1, timeScale: 50, hrd: { nal: true, vcl: true, subPic: true, cpbCount: 3, fixedRate: false, lowDelay: false } },
          restriction: { minSpatialSegmentationIdc: 17 },
        },
      }),
    );
    expect(s.vui).toEqual({
      sar: { width: 4, height: 3 },
      colour: { primaries: 9, transfer: 16, matrix: 9, fullRange: true },
      timing: { numUnitsInTick: 1, timeScale: 50 },
      minSpatialSegmentationIdc: 17,
      fieldSeq: true,
    });
    for (const hrd of [
      { nal: true, vcl: false, subPic: false, cpbCount: 1, fixedRate: true, lowDelay: false },
      { nal: false, vcl: true, subPic: false, cpbCount: 2, fixedRate: false, lowDelay: true },
    ]) {
      const t = parseHevcSps(
        writeHevcSps({ ...BASE, vui: { sar: { idc: 2 }, timing: { numUnitsInTick: 1, timeScale: 30, hrd }, restriction: { minSpatialSegmentationIdc: 5 } } }),
      );
      expect(t.vui).toMatchObject({ sar: { width: 12, height: 11 }, minSpatialSegmentationIdc: 5 });
    }
  });

  it('refuses impossible pictures and ids with MediaInputError that says what was wrong', () => {
    const cases: Array<[Partial<HevcSpsFields>, RegExp]> = [
      [{ codedWidth: 1284 }, /not a multiple of the 8-sample minimum coding block/],
      [{ codedWidth: 20480, codedHeight: 64 }, /side over 16384/],
      [{ codedWidth: 8192, codedHeight: 8192 }, /luma samples any level allows/],
      [{ window: { left: 0, right: 633, top: 0, bottom: 0 } }, /the conformance window leaves 14x720 of a 1280x720 picture/],
      [{ spsId: 16 }, /sps_seq_parameter_set_id 16/],
      [{ ordering: [{ maxDecPicBufferingMinus1: 2, maxNumReorder: 3, maxLatencyPlus1: 0 }] }, /sps_max_num_reorder_pics 3/],
      [{ bitDepthLuma: 17 }, /bit depth 17/],
    ];
    for (const [change, message] of cases) {
      expect(() => parseHevcSps(writeHevcSps({ ...BASE, ...change })), JSON.stringify(change)).toThrow(message);
      expect(() => parseHevcSps(writeHevcSps({ ...BASE, ...change }))).toThrow(MediaInputError);
    }
    expect(() => parseHevcSps(Uint8Array.of(0x42, 0x01))).toThrow(BitReaderOverrun);
  });
});

describe('HevcParameterSets', () => {
  it('keeps copies by id, counts changes, parses a repeated set once, and names a set that does not parse', () => {
    const sets = new HevcParameterSets();
    const sps = X265_SPS.slice();
    expect(sets.update({ vps: [X265_VPS], sps: [sps], pps: [X265_PPS] })).toBeUndefined();
    expect(sets.generation).toBe(3);
    sps.fill(0); // the caller reuses its memory: the store kept a copy
    expect(sets.sps(0)?.width).toBe(426);
    expect(sets.update({ vps: [X265_VPS], sps: [X265_SPS], pps: [X265_PPS] })).toBeUndefined();
    expect(sets.generation).toBe(3);
    expect(sets.activeSps()?.width).toBe(426);
    const pps1 = writeHevcPps({
      ppsId: 1,
      spsId: 0,
      dependentSliceSegments: false,
      outputFlagPresent: false,
      numExtraSliceHeaderBits: 0,
      tiles: false,
      entropyCodingSync: true,
    });
    expect(sets.update({ vps: [], sps: [Uint8Array.of(0x42, 0x01, 0x01)], pps: [pps1] })).toMatch(/SPS \(3 bytes\) does not parse/);
    expect(sets.generation).toBe(4);
    const arrays = sets.arrays();
    expect(arrays.pps.map((p) => parseHevcPps(p).ppsId)).toEqual([0, 1]);
    expect(arrays.sps).toHaveLength(1);
  });
});

describe('hevcCodecString (ISO 14496-15 E.3)', () => {
  it('profile space letter, reversed compatibility flags in hex, tier letter, and trailing zero constraint bytes dropped', () => {
    const ptl = {
      profileSpace: 0,
      tierFlag: 0,
      profileIdc: 1,
      compatibilityFlags: 0x60000000,
      constraintFlags: Uint8Array.of(0xb0, 0, 0, 0, 0, 0),
      levelIdc: 93,
    };
    expect(hevcCodecString(ptl)).toBe('hvc1.1.6.L93.B0');
    expect(hevcCodecString({ ...ptl, profileSpace: 1, tierFlag: 1, levelIdc: 120 }, 'hev1')).toBe('hev1.A1.6.H120.B0');
    // Flags 0, 1, 31 -> reversed bits 0, 1, 31 of the value: 0x80000003.
    expect(hevcCodecString({ ...ptl, compatibilityFlags: 0xc0000001, constraintFlags: Uint8Array.of(0x90, 0, 0x0a, 0, 0, 0) })).toBe(
      'hvc1.1.80000003.L93.90.00.0A',
    );
    expect(hevcCodecString({ ...ptl, compatibilityFlags: 0, constraintFlags: new Uint8Array(6) })).toBe('hvc1.1.0.L93');
    expect(reverseBits32(0x00000001)).toBe(0x80000000);
    expect(reverseBits32(0x12345678)).toBe(0x1e6a2c48);
  });
});
