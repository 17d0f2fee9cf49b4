import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ContractError, MAX_TIME_MS, parseSegmentMetadata, SegmentMeta, toS3Metadata, type SegmentMetadata } from '../../../contract/index.ts';
import { createFuzzSuite, fuzzTimeoutMs, thrownBy } from '../support/fuzz-runner.ts';

const check = createFuzzSuite('contract-segment-metadata');

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const aac = fc.option(fc.integer({ min: 1, max: 99 })).map((a) => (a === null ? '' : `,mp4a.40.${a}`));
const avc = fc.stringMatching(/^[0-9A-Fa-f]{6}$/).map((p) => `avc1.${p}`);
const hevc = fc
  .tuple(
    fc.constantFrom('hvc1', 'hev1'),
    fc.constantFrom('', 'A', 'B', 'C'),
    fc.integer({ min: 0, max: 255 }),
    fc.stringMatching(/^[0-9A-F]{1,8}$/),
    fc.constantFrom('L', 'H'),
    fc.integer({ min: 0, max: 255 }),
    fc.array(fc.stringMatching(/^[0-9A-F]{2}$/), { maxLength: 6 }),
  )
  .map(([e, sp, p, c, t, l, k]) => `${e}.${sp}${p}.${c}.${t}${l}${k.map((b) => `.${b}`).join('')}`);
const base = {
  startMs: fc.integer({ min: 0, max: MAX_TIME_MS }),
  durationMs: fc.integer({ min: 1, max: 600_000 }),
  seq: fc.maxSafeNat(),
  discSeq: fc.maxSafeNat(),
  keyId: hex32,
  iv: hex32,
  width: fc.integer({ min: 1, max: 16_384 }),
  height: fc.integer({ min: 1, max: 16_384 }),
};
/** MPEG-TS (H.264) or fMP4 (H.264 or H.265, with its init id): everything a device writes. */
const metadata: fc.Arbitrary<SegmentMetadata> = fc.oneof(
  fc.record({ ...base, codecs: fc.tuple(avc, aac).map(([v, a]) => v + a), container: fc.constant('ts' as const) }),
  fc.record({ ...base, codecs: fc.tuple(fc.oneof(avc, hevc), aac).map(([v, a]) => v + a), container: fc.constant('fmp4' as const), initId: hex32 }),
);

const names = Object.values(SegmentMeta);
/** Header maps as HeadObject could return them: our names and others, with any values. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.nat().map(String),
  fc.constantFrom('', '-1', '1e3', '0x10', ' 5', '9007199254740993', '00000000000000001', 'NaN'),
);
const headerMap = fc.dictionary(
  fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString')),
  fc.option(anyValue, { nil: undefined }),
  { maxKeys: 14 },
);

describe('parseSegmentMetadata (x-amz-meta-* read back by the indexer)', () => {
  test(
    'any header map: metadata or one ContractError listing the problems',
    () => {
      check(
        'any map throws only ContractError',
        fc.property(fc.option(headerMap, { nil: undefined }), (m) => {
          const err = thrownBy(() => parseSegmentMetadata(m));
          expect(err === undefined || err instanceof ContractError, String(err)).toBe(true);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'toS3Metadata -> parseSegmentMetadata is the identity',
    () => {
      check(
        'round trip',
        fc.property(metadata, (m) => {
          expect(parseSegmentMetadata(toS3Metadata(m))).toEqual(m);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'one field replaced by noise: either refused, or every parsed number is in its documented range',
    () => {
      check(
        'mutated field stays in range',
        fc.property(metadata, fc.constantFrom(...names), anyValue, (m, name, value) => {
          const wire = { ...toS3Metadata(m), [name]: value };
          let parsed: SegmentMetadata;
          try {
            parsed = parseSegmentMetadata(wire);
          } catch (e) {
            expect(e).toBeInstanceOf(ContractError);
            return;
          }
          expect(Number.isSafeInteger(parsed.seq) && Number.isSafeInteger(parsed.discSeq)).toBe(true);
          expect(parsed.durationMs).toBeGreaterThanOrEqual(1);
          expect(parsed.durationMs).toBeLessThanOrEqual(600_000);
          expect(parsed.width).toBeGreaterThanOrEqual(1);
          expect(parsed.height).toBeLessThanOrEqual(16_384);
          expect(parsed.iv).toMatch(/^[0-9a-f]{32}$/);
        }),
      );
    },
    fuzzTimeoutMs(),
  );
});
