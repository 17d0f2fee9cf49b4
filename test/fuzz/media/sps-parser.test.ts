import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseSps } from '../../../media/h264/sps-parser.ts';
import { unescapeRbsp } from '../../../media/bitstream/rbsp.ts';
import { MediaError, MediaInputError } from '../../../media/media-error.ts';
import { createFuzzSuite, fuzzTimeoutMs, thrownBy } from '../support/fuzz-runner.ts';
import { escapeRbsp, writeSps, type SpsFields } from './h264-builders.ts';

const check = createFuzzSuite('device-media-sps-parser');

const spsFields: fc.Arbitrary<SpsFields> = fc
  .record({
    profileIdc: fc.constantFrom(66 as const, 77 as const, 100 as const),
    constraintFlags: fc.integer({ min: 0, max: 255 }),
    levelIdc: fc.integer({ min: 9, max: 62 }),
    spsId: fc.integer({ min: 0, max: 31 }),
    widthMbs: fc.integer({ min: 1, max: 512 }),
    heightMapUnits: fc.integer({ min: 1, max: 256 }),
    frameMbsOnly: fc.boolean(),
    picOrderCntType: fc.constantFrom(0 as const, 2 as const),
    log2MaxFrameNumMinus4: fc.integer({ min: 0, max: 12 }),
    cropFractions: fc.option(
      fc.tuple(
        fc.double({ min: 0, max: 0.49, noNaN: true }),
        fc.double({ min: 0, max: 0.49, noNaN: true }),
        fc.double({ min: 0, max: 0.49, noNaN: true }),
        fc.double({ min: 0, max: 0.49, noNaN: true }),
      ),
      { nil: undefined },
    ),
    timing: fc.option(fc.record({ numUnitsInTick: fc.integer({ min: 1, max: 100_000 }), timeScale: fc.integer({ min: 1, max: 2 ** 32 - 1 }) }), {
      nil: undefined,
    }),
  })
  .map(({ cropFractions, ...f }) => {
    // Crop in chroma units: at most just under half the picture on each side.
    const xUnits = f.widthMbs * 8;
    const yUnits = f.heightMapUnits * 8;
    const crop = cropFractions && {
      left: Math.floor(cropFractions[0] * xUnits),
      right: Math.floor(cropFractions[1] * xUnits),
      top: Math.floor(cropFractions[2] * yUnits),
      bottom: Math.floor(cropFractions[3] * yUnits),
    };
    return { ...f, ...(crop ? { crop } : {}) };
  });

describe("parseSps (the encoder's sequence parameter set)", () => {
  test(
    'any bytes: SpsInfo or a MediaError (truncated header), never another error',
    () => {
      check(
        'any bytes throw only MediaError',
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 600 }),
          fc.constantFrom(66, 77, 100, 110, 122, 244, 44),
          fc.boolean(),
          (bytes, profile, forceProfile) => {
            const nal = forceProfile ? Uint8Array.of(0x67, profile, ...bytes) : Uint8Array.of(0x67, ...bytes);
            const err = thrownBy(() => parseSps(nal));
            expect(err === undefined || err instanceof MediaError, String(err)).toBe(true);
            if (err === undefined) {
              // Whatever parses is a picture a decoder could show (random bytes gave -88x72 and 1280x59456).
              const { width, height } = parseSps(nal);
              expect(width >= 16 && width <= 16384 && height >= 16 && height <= 16384, `${width}x${height}`).toBe(true);
            }
          },
        ),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'write -> parse gives back profile, level, id, size after cropping, scan and frame rate; an impossible size throws MediaInputError',
    () => {
      check(
        'round trip',
        fc.property(spsFields, (f) => {
          const fieldFactor = f.frameMbsOnly ? 1 : 2;
          const crop = f.crop ?? { left: 0, right: 0, top: 0, bottom: 0 };
          const width = f.widthMbs * 16 - 2 * (crop.left + crop.right);
          const height = fieldFactor * f.heightMapUnits * 16 - 2 * fieldFactor * (crop.top + crop.bottom);
          const frameMbs = f.widthMbs * f.heightMapUnits * fieldFactor;
          if (width < 16 || height < 16 || frameMbs > 139264) {
            expect(() => parseSps(writeSps(f))).toThrow(MediaInputError);
            return;
          }
          const info = parseSps(writeSps(f));
          expect(info).toMatchObject({
            profileIdc: f.profileIdc,
            constraintFlags: f.constraintFlags,
            levelIdc: f.levelIdc,
            spsId: f.spsId,
            chromaFormatIdc: 1,
            width,
            height,
            frameMbsOnly: f.frameMbsOnly,
            picOrderCntType: f.picOrderCntType,
            log2MaxFrameNum: f.log2MaxFrameNumMinus4 + 4,
          });
          if (f.timing) {
            expect(info.timing).toEqual(f.timing);
            expect(info.fps).toBeCloseTo(f.timing.timeScale / (2 * f.timing.numUnitsInTick), 9);
          } else {
            expect(info.fps).toBeUndefined();
          }
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'escape -> unescapeRbsp is the identity (RBSP ends in its stop bit, a non-zero byte)',
    () => {
      const rbspBytes = fc.tuple(
        fc.uint8Array({ maxLength: 400 }).map((b) => b.map((x) => (x < 100 ? 0 : x < 120 ? 3 : x))),
        fc.integer({ min: 1, max: 255 }),
      );
      check(
        'rbsp round trip',
        fc.property(rbspBytes, ([body, last]) => {
          const rbsp = Uint8Array.of(...body, last);
          expect([...unescapeRbsp(escapeRbsp(rbsp))]).toEqual([...rbsp]);
        }),
      );
    },
    fuzzTimeoutMs(),
  );
});
