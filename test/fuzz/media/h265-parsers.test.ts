import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AnnexBSplitter } from '../../../media/bitstream/annexb-splitter.ts';
import { HevcAccessUnitAssembler, type HevcAccessUnit } from '../../../media/h265/access-unit-assembler.ts';
import { hevcCodecString } from '../../../media/h265/codecs-string.ts';
import { HevcParameterSets } from '../../../media/h265/parameter-sets.ts';
import { PicOrderCounter } from '../../../media/h265/picture-order-count.ts';
import { parseHevcPps } from '../../../media/h265/pps-parser.ts';
import { parseHevcSliceHeaderStart } from '../../../media/h265/slice-header.ts';
import { HEVC_SPS_LIMITS, parseHevcSps } from '../../../media/h265/sps-parser.ts';
import { parseHevcVps } from '../../../media/h265/vps-parser.ts';
import { MediaError } from '../../../media/media-error.ts';
import { chunkAt, chunkedBytes, createFuzzSuite, fuzzTimeoutMs, thrownBy } from '../support/fuzz-runner.ts';
import { buildAnnexB } from './h264-builders.ts';
import {
  MAIN_SPS,
  nalHeader,
  predictedFlagCount,
  writeHevcPps,
  writeHevcSps,
  writeSliceSegment,
  writeVps,
  type HevcPpsFields,
  type HevcSpsFields,
  type PtlFields,
  type ShortTermRps,
} from './h265-builders.ts';

const check = createFuzzSuite('device-media-h265-parsers');

const ptl: fc.Arbitrary<PtlFields> = fc.record({
  profileSpace: fc.integer({ min: 0, max: 3 }),
  tierFlag: fc.integer({ min: 0, max: 1 }),
  profileIdc: fc.integer({ min: 0, max: 31 }),
  compatibilityFlags: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  constraintFlags: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }),
  levelIdc: fc.integer({ min: 0, max: 255 }),
  subLayers: fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 6 }),
});

/** Short-term RPS lists: explicit sets, or sets predicted from the one before with the right number of flags. */
const shortTermRps: fc.Arbitrary<ShortTermRps[]> = fc
  .array(
    fc.tuple(
      fc.boolean(),
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 0, max: 4 }),
      fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 17, maxLength: 17 }),
    ),
    { maxLength: 6 },
  )
  .map((list) => {
    const out: ShortTermRps[] = [];
    for (const [predict, negative, positive, flags] of list) {
      const prev = out[out.length - 1];
      const predicted = prev && predict ? { predictFlags: flags.slice(0, predictedFlagCount(prev)) } : undefined;
      // A predicted set may not list more pictures than a decoder holds: fall back to an explicit one.
      out.push(predicted && predicted.predictFlags.filter(([u, d]) => u || d).length <= 16 ? predicted : { negative, positive });
    }
    return out;
  });

const spsFields: fc.Arbitrary<HevcSpsFields> = fc
  .record({
    vpsId: fc.integer({ min: 0, max: 15 }),
    spsId: fc.integer({ min: 0, max: 15 }),
    ptl,
    chromaFormatIdc: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
    separateColourPlane: fc.boolean(),
    log2MinCb: fc.constantFrom(3 as const, 4 as const),
    log2DiffCtb: fc.integer({ min: 0, max: 2 }),
    widthCbs: fc.integer({ min: 1, max: 600 }),
    heightCbs: fc.integer({ min: 1, max: 600 }),
    window: fc.option(fc.record({ left: fc.nat(40), right: fc.nat(40), top: fc.nat(40), bottom: fc.nat(40) }), { nil: undefined }),
    bitDepthLuma: fc.integer({ min: 8, max: 12 }),
    bitDepthChroma: fc.integer({ min: 8, max: 12 }),
    log2MaxPocLsb: fc.integer({ min: 4, max: 16 }),
    reorder: fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 9 })), {
      minLength: 7,
      maxLength: 7,
    }),
    orderingInfoPresent: fc.boolean(),
    scalingList: fc.option(fc.constantFrom('default' as const, 'explicit' as const), { nil: undefined }),
    pcm: fc.boolean(),
    shortTermRps,
    longTermLsbs: fc.option(fc.array(fc.nat(15), { maxLength: 4 }), { nil: undefined }),
    vui: fc.option(
      fc.record({
        sar: fc.option(
          fc.record({ idc: fc.constantFrom(1, 2, 14, 255), width: fc.integer({ min: 1, max: 65535 }), height: fc.integer({ min: 1, max: 65535 }) }),
          { nil: undefined },
        ),
        colour: fc.option(fc.record({ primaries: fc.nat(255), transfer: fc.nat(255), matrix: fc.nat(255), fullRange: fc.boolean() }), { nil: undefined }),
        chromaLoc: fc.boolean(),
        fieldSeq: fc.boolean(),
        defaultDisplayWindow: fc.boolean(),
        timing: fc.option(
          fc.record({
            numUnitsInTick: fc.integer({ min: 1, max: 100_000 }),
            timeScale: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
            hrd: fc.option(
              fc.record({
                nal: fc.boolean(),
                vcl: fc.boolean(),
                subPic: fc.boolean(),
                cpbCount: fc.integer({ min: 1, max: 4 }),
                fixedRate: fc.boolean(),
                lowDelay: fc.boolean(),
              }),
              { nil: undefined },
            ),
          }),
          { nil: undefined },
        ),
        restriction: fc.option(fc.record({ minSpatialSegmentationIdc: fc.nat(4095) }), { nil: undefined }),
      }),
      { nil: undefined },
    ),
  })
  .map(({ widthCbs, heightCbs, reorder, log2MinCb, ...f }) => {
    const subLayers = f.ptl.subLayers.length;
    // max_dec_pic_buffering 1..16 with num_reorder below it (7.4.3.2.1).
    const ordering = reorder
      .slice(0, subLayers + 1)
      .map(([buf, re, lat]) => ({ maxDecPicBufferingMinus1: buf, maxNumReorder: Math.min(re, buf), maxLatencyPlus1: lat }));
    const longTermLsbs = f.longTermLsbs?.map((l) => l % 2 ** f.log2MaxPocLsb);
    return {
      ...f,
      log2MinCb,
      codedWidth: widthCbs * (1 << log2MinCb),
      codedHeight: heightCbs * (1 << log2MinCb),
      ordering,
      ...(longTermLsbs ? { longTermLsbs } : {}),
    };
  });

function expectedSize(f: HevcSpsFields): { width: number; height: number } {
  const w = f.window ?? { left: 0, right: 0, top: 0, bottom: 0 };
  const mono = f.chromaFormatIdc === 0 || (f.chromaFormatIdc === 3 && f.separateColourPlane);
  const x = mono || f.chromaFormatIdc === 3 ? 1 : 2;
  const y = mono || f.chromaFormatIdc !== 1 ? 1 : 2;
  return { width: f.codedWidth - x * (w.left + w.right), height: f.codedHeight - y * (w.top + w.bottom) };
}

describe("H.265 parameter set parsers (the encoder's bytes)", () => {
  test(
    'any bytes: VPS / SPS / PPS info or a MediaError, never another error; a parsed SPS is a picture a decoder could show',
    () => {
      check(
        'any bytes throw only MediaError',
        fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.constantFrom(32, 33, 34), (body, type) => {
          const nal = Uint8Array.of(...nalHeader(type), ...body);
          for (const parse of [parseHevcVps, parseHevcSps, parseHevcPps] as Array<(n: Uint8Array) => unknown>) {
            const err = thrownBy(() => parse(nal));
            expect(err === undefined || err instanceof MediaError, String(err)).toBe(true);
          }
          const sps = thrownBy(() => parseHevcSps(nal)) === undefined ? parseHevcSps(nal) : undefined;
          if (sps) {
            const L = HEVC_SPS_LIMITS;
            expect(
              sps.width >= L.MIN_SIDE_PIXELS && sps.height >= L.MIN_SIDE_PIXELS && sps.codedWidth <= L.MAX_SIDE_PIXELS && sps.codedHeight <= L.MAX_SIDE_PIXELS,
              `${sps.width}x${sps.height}`,
            ).toBe(true);
            expect(sps.maxNumReorderPics).toBeLessThan(sps.maxDecPicBuffering);
          }
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'SPS write -> parse gives back ids, profile/tier/level, size after the window, bit depths, reorder depth, VUI; an impossible size throws MediaError',
    () => {
      check(
        'sps round trip',
        fc.property(spsFields, (f) => {
          const nal = writeHevcSps(f);
          const size = expectedSize(f);
          const L = HEVC_SPS_LIMITS;
          if (
            size.width < L.MIN_SIDE_PIXELS ||
            size.height < L.MIN_SIDE_PIXELS ||
            f.codedWidth > L.MAX_SIDE_PIXELS ||
            f.codedHeight > L.MAX_SIDE_PIXELS ||
            f.codedWidth * f.codedHeight > L.MAX_LUMA_PICTURE_SAMPLES
          ) {
            expect(() => parseHevcSps(nal)).toThrow(MediaError);
            return;
          }
          const s = parseHevcSps(nal);
          const top = f.ordering[f.ordering.length - 1]!;
          expect(s).toMatchObject({
            vpsId: f.vpsId,
            spsId: f.spsId,
            maxSubLayers: f.ptl.subLayers.length + 1,
            chromaFormatIdc: f.chromaFormatIdc,
            codedWidth: f.codedWidth,
            codedHeight: f.codedHeight,
            ...size,
            bitDepthLuma: f.bitDepthLuma,
            bitDepthChroma: f.bitDepthChroma,
            log2MaxPicOrderCntLsb: f.log2MaxPocLsb,
            maxDecPicBuffering: top.maxDecPicBufferingMinus1 + 1,
            maxNumReorderPics: top.maxNumReorder,
            maxLatencyIncreasePlus1: top.maxLatencyPlus1,
          });
          expect(s.profileTierLevel).toMatchObject({
            profileSpace: f.ptl.profileSpace,
            tierFlag: f.ptl.tierFlag,
            profileIdc: f.ptl.profileIdc,
            compatibilityFlags: f.ptl.compatibilityFlags,
            levelIdc: f.ptl.levelIdc,
          });
          expect([...s.profileTierLevel.constraintFlags]).toEqual(f.ptl.constraintFlags);
          if (f.vui) {
            expect(s.vui?.fieldSeq).toBe(f.vui.fieldSeq);
            expect(s.vui?.minSpatialSegmentationIdc).toBe(f.vui.restriction?.minSpatialSegmentationIdc ?? 0);
            expect(s.vui?.timing).toEqual(f.vui.timing ? { numUnitsInTick: f.vui.timing.numUnitsInTick, timeScale: f.vui.timing.timeScale } : undefined);
            if (f.vui.colour) expect(s.vui?.colour).toEqual(f.vui.colour);
            if (f.vui.sar?.idc === 255) expect(s.vui?.sar).toEqual({ width: f.vui.sar.width, height: f.vui.sar.height });
          } else {
            expect(s.vui).toBeUndefined();
          }
          // The codec string says what the PTL says, in the E.3 form.
          const cs = hevcCodecString(s.profileTierLevel).split('.');
          expect(cs[0]).toBe('hvc1');
          expect(cs[1]).toBe(`${['', 'A', 'B', 'C'][f.ptl.profileSpace]}${f.ptl.profileIdc}`);
          expect(parseInt(cs[2]!, 16).toString(2).padStart(32, '0').split('').reverse().join('')).toBe(f.ptl.compatibilityFlags.toString(2).padStart(32, '0'));
          expect(cs[3]).toBe(`${f.ptl.tierFlag ? 'H' : 'L'}${f.ptl.levelIdc}`);
          const constraintHex = cs.slice(4).map((h) => parseInt(h, 16));
          expect([...constraintHex, ...new Array(6 - constraintHex.length).fill(0)]).toEqual(f.ptl.constraintFlags);
        }),
      );
    },
    fuzzTimeoutMs(4),
  );

  test(
    'VPS and PPS write -> parse give back their fields',
    () => {
      check(
        'vps/pps round trip',
        fc.property(
          ptl,
          fc.integer({ min: 0, max: 15 }),
          fc.record({
            ppsId: fc.integer({ min: 0, max: 63 }),
            spsId: fc.integer({ min: 0, max: 15 }),
            dependentSliceSegments: fc.boolean(),
            outputFlagPresent: fc.boolean(),
            numExtraSliceHeaderBits: fc.integer({ min: 0, max: 7 }),
            tiles: fc.boolean(),
            entropyCodingSync: fc.boolean(),
          }),
          (p, vpsId, pps) => {
            const v = parseHevcVps(writeVps({ vpsId, ptl: p }));
            expect(v).toMatchObject({ vpsId, maxSubLayers: p.subLayers.length + 1 });
            expect(v.profileTierLevel.compatibilityFlags).toBe(p.compatibilityFlags);
            expect(parseHevcPps(writeHevcPps(pps))).toEqual({
              ppsId: pps.ppsId,
              spsId: pps.spsId,
              dependentSliceSegmentsEnabled: pps.dependentSliceSegments,
              outputFlagPresent: pps.outputFlagPresent,
              numExtraSliceHeaderBits: pps.numExtraSliceHeaderBits,
              tilesEnabled: pps.tiles,
              entropyCodingSyncEnabled: pps.entropyCodingSync,
            });
          },
        ),
      );
    },
    fuzzTimeoutMs(),
  );
});

const SPS: HevcSpsFields = { ...MAIN_SPS, log2MaxPocLsb: 6 };

describe('H.265 access units, slice headers and POC (bytes from outside)', () => {
  const summary = (aus: HevcAccessUnit[]) => aus.map((a) => ({ n: a.nals.map((x) => [...x].join(',')), irap: a.isIrap, c: a.corrupt, off: a.offset }));
  const assemble = (chunks: readonly Uint8Array[]) => {
    const aus: HevcAccessUnit[] = [];
    const asm = new HevcAccessUnitAssembler((au) => aus.push(au), 4096);
    const s = new AnnexBSplitter((e) => asm.push(e));
    for (const c of chunks) s.push(c);
    s.flush();
    asm.flush();
    return aus;
  };

  test(
    'any bytes in any chunking: no throw, and the access units do not depend on the chunking',
    () => {
      const zeroRich = fc.uint8Array({ maxLength: 1500 }).map((b) => b.map((x) => (x < 80 ? 0 : x < 100 ? 1 : x)));
      check(
        'assembler chunking invariance',
        fc.property(
          fc.oneof(
            chunkedBytes(),
            zeroRich.chain((b) => fc.tuple(fc.constant(b), fc.array(fc.nat({ max: b.byteLength }), { maxLength: 16 }))),
          ),
          ([bytes, cuts]) => {
            expect(summary(assemble(chunkAt(bytes, cuts)))).toEqual(summary(assemble([bytes])));
          },
        ),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'a well-formed stream of random pictures: one access unit per picture, IRAPs found, POC as written',
    () => {
      const pic = fc.record({
        type: fc.constantFrom(0, 1, 19, 21),
        lsb: fc.nat(63),
        tid: fc.integer({ min: 0, max: 2 }),
        slices: fc.integer({ min: 1, max: 3 }),
        sei: fc.boolean(),
      });
      check(
        'stream round trip',
        fc.property(fc.array(pic, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 8 }), (pics, cuts) => {
          const pps: HevcPpsFields = {
            ppsId: 0,
            spsId: 0,
            dependentSliceSegments: false,
            outputFlagPresent: false,
            numExtraSliceHeaderBits: 0,
            tiles: false,
            entropyCodingSync: false,
          };
          const nals: Uint8Array[] = [writeVps(), writeHevcSps(SPS), writeHevcPps(pps)];
          const written = pics.map((p, i) => ({
            ...p,
            type: i === 0 ? 19 : p.type,
            tid: i === 0 || p.type >= 16 ? 0 : p.tid,
            lsb: i === 0 || p.type === 19 ? 0 : p.lsb,
          }));
          for (const p of written) {
            if (p.sei) nals.push(Uint8Array.of(...nalHeader(39), 0x05, 0x01, 0x11, 0x80));
            for (let s = 0; s < p.slices; s++) {
              nals.push(
                writeSliceSegment({
                  type: p.type,
                  temporalId: p.tid,
                  first: s === 0,
                  ppsId: 0,
                  pps,
                  sps: SPS,
                  picSizeInCtbs: 20,
                  address: s * 5 + 1,
                  sliceType: 1,
                  pocLsb: p.lsb,
                }),
              );
            }
          }
          const stream = buildAnnexB(nals, [true, false], [0, 1]);
          const aus = assemble(
            chunkAt(
              stream,
              cuts.map((c) => c % (stream.byteLength + 1)),
            ),
          );
          expect(aus).toHaveLength(written.length);
          const sets = new HevcParameterSets();
          const poc = new PicOrderCounter();
          aus.forEach((au, i) => {
            expect(au.corrupt).toBeUndefined();
            expect(au.isIrap).toBe(written[i]!.type >= 16);
            sets.update(au);
            const slice = au.nals.find((n) => ((n[0]! >> 1) & 0x3f) === au.vclType)!;
            const h = parseHevcSliceHeaderStart(slice, sets);
            expect(h.picOrderCntLsb).toBe(written[i]!.lsb);
            const o = poc.next(au.vclType, au.temporalId, h.picOrderCntLsb, SPS.log2MaxPocLsb);
            expect(((o.poc % 64) + 64) % 64).toBe(written[i]!.lsb);
          });
        }),
      );
    },
    fuzzTimeoutMs(4),
  );

  test(
    'any slice bytes against real parameter sets: a header or a MediaError',
    () => {
      const sets = new HevcParameterSets();
      sets.update({
        vps: [writeVps()],
        sps: [writeHevcSps(SPS)],
        pps: [
          writeHevcPps({
            ppsId: 0,
            spsId: 0,
            dependentSliceSegments: true,
            outputFlagPresent: true,
            numExtraSliceHeaderBits: 3,
            tiles: false,
            entropyCodingSync: false,
          }),
        ],
      });
      check(
        'slice header any bytes',
        fc.property(fc.integer({ min: 0, max: 31 }), fc.uint8Array({ maxLength: 40 }), (type, body) => {
          const err = thrownBy(() => parseHevcSliceHeaderStart(Uint8Array.of(...nalHeader(type), ...body), sets));
          expect(err === undefined || err instanceof MediaError, String(err)).toBe(true);
        }),
      );
    },
    fuzzTimeoutMs(),
  );
});
