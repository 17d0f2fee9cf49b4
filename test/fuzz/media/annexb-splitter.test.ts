import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AnnexBSplitter, type NalUnitEvent } from '../../../media/bitstream/annexb-splitter.ts';
import { chunkAt, chunkedBytes, createFuzzSuite, FUZZ_RUNS, fuzzTimeoutMs } from '../support/fuzz-runner.ts';
import { buildAnnexB, escapeRbsp } from './h264-builders.ts';

const check = createFuzzSuite('device-media-annexb-splitter');

function split(chunks: readonly Uint8Array[]): { nals: { nal: number[]; offset: number }[]; garbage: number } {
  const nals: { nal: number[]; offset: number }[] = [];
  const s = new AnnexBSplitter((e: NalUnitEvent) => nals.push({ nal: [...e.nal], offset: e.offset }));
  for (const c of chunks) s.push(c, 0);
  s.flush();
  return { nals, garbage: s.leadingGarbageBytes };
}

const hasStartCode = (b: readonly number[]) => b.some((_, i) => b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1);

/** Bytes rich in zeros and ones, so start codes (and near misses) are common. */
const zeroRich = fc
  .uint8Array({ maxLength: 1024 })
  .chain((b) => fc.tuple(fc.constant(b.map((x) => (x < 96 ? 0 : x < 128 ? 1 : x))), fc.array(fc.nat({ max: b.byteLength }), { maxLength: 16 })));
/** Escaped NAL payloads (first byte non-zero: a NAL header). */
const nalUnit = fc
  .tuple(
    fc.integer({ min: 1, max: 255 }),
    fc.uint8Array({ maxLength: 64 }).map((b) => b.map((x) => (x < 64 ? 0 : x))),
  )
  .map(([h, body]) => Uint8Array.of(h, ...escapeRbsp(body)));

describe('AnnexBSplitter (encoder bytes from outside)', () => {
  test(
    'any bytes in any chunking: no throw; every NAL unit non-empty, ending in a non-zero byte, holding no start code',
    () => {
      check(
        'any bytes, sane NAL units',
        fc.property(fc.oneof(chunkedBytes(), zeroRich), ([bytes, cuts]) => {
          const { nals } = split(chunkAt(bytes, cuts));
          for (const { nal } of nals) {
            expect(nal.length).toBeGreaterThan(0);
            expect(nal[nal.length - 1]).not.toBe(0);
            expect(hasStartCode(nal)).toBe(false);
          }
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'the NAL units, their offsets and the garbage count do not depend on how the bytes were chunked',
    () => {
      check(
        'chunking invariance',
        fc.property(fc.oneof(chunkedBytes(), zeroRich), ([bytes, cuts]) => {
          expect(split(chunkAt(bytes, cuts))).toEqual(split([bytes]));
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'split at every single offset: same NAL units as one push',
    () => {
      check(
        'every offset',
        fc.property(zeroRich, ([bytes]) => {
          const whole = split([bytes]);
          for (let at = 1; at < Math.min(bytes.byteLength, 128); at++) expect(split([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(whole);
        }),
        Math.max(1, Math.floor(FUZZ_RUNS / 10)),
      ); // each case splits ~128 ways
    },
    fuzzTimeoutMs(20),
  );

  test(
    'framing -> split is the identity: 3- and 4-byte start codes, trailing zeros, any chunking',
    () => {
      check(
        'round trip',
        fc.property(
          fc.array(nalUnit, { maxLength: 20 }),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
          fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 5 }),
          fc.array(fc.nat({ max: 2000 }), { maxLength: 12 }),
          (nals, four, zeros, cuts) => {
            const stream = buildAnnexB(nals, four, zeros);
            expect(split(chunkAt(stream, cuts)).nals.map((n) => n.nal)).toEqual(nals.map((n) => [...n]));
          },
        ),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'bytes before the first start code are counted as garbage (leading zeros are not) and dropped',
    () => {
      check(
        'leading garbage counted',
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => b.map((x) => x || 0xff)),
          fc.array(nalUnit, { minLength: 1, maxLength: 4 }),
          (garbage, nals) => {
            const stream = Uint8Array.of(...garbage, 0, 0, ...buildAnnexB(nals, [true, false], [0]));
            const out = split([stream]);
            expect(out.garbage).toBe(garbage.byteLength);
            expect(out.nals.map((n) => n.nal)).toEqual(nals.map((n) => [...n]));
          },
        ),
      );
    },
    fuzzTimeoutMs(),
  );
});
