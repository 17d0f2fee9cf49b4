import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseAdtsHeader } from '../../../media/aac/adts-header.ts';
import { AdtsParser } from '../../../media/aac/adts-parser.ts';
import { chunkAt, chunkedBytes, createFuzzSuite, fuzzTimeoutMs } from '../support/fuzz-runner.ts';
import { ADTS_MAX_FRAME_BYTES, adtsFrame, type AdtsConfig } from './adts-builders.ts';

const check = createFuzzSuite('device-media-adts-parser');

interface Run {
  frames: { bytes: number[]; offset: number }[];
  errors: number;
  droppedBytes: number;
  /** Most bytes the parser held between pushes. */
  maxHeldBytes: number;
}

function parse(chunks: readonly Uint8Array[]): Run {
  const frames: Run['frames'] = [];
  const p = new AdtsParser((e) => frames.push({ bytes: [...e.frame], offset: e.offset }));
  let maxHeldBytes = 0;
  for (const c of chunks) {
    p.push(c, 0);
    // The parser's one partial frame, read from outside for the memory bound.
    maxHeldBytes = Math.max(maxHeldBytes, (p as unknown as { pending: Uint8Array }).pending.byteLength);
  }
  p.flush();
  return { frames, errors: p.errors, droppedBytes: p.droppedBytes, maxHeldBytes };
}

const config: fc.Arbitrary<AdtsConfig> = fc.record({
  profile: fc.integer({ min: 0, max: 3 }),
  sampleRateIndex: fc.integer({ min: 0, max: 12 }),
  channels: fc.integer({ min: 1, max: 7 }),
});
const payload = fc.uint8Array({ minLength: 1, maxLength: 600 });
/** Bytes with many 0xFF and 0xF1 so false sync words are common. */
const syncRich = fc
  .uint8Array({ maxLength: 3000 })
  .chain((b) => fc.tuple(fc.constant(b.map((x) => (x < 40 ? 0xff : x < 70 ? 0xf1 : x))), fc.array(fc.nat({ max: b.byteLength }), { maxLength: 16 })));

describe('AdtsParser (encoder audio bytes from outside)', () => {
  test(
    'any bytes in any chunking: no throw; every frame is exactly one ADTS frame; at most one partial frame (+ the next header) held',
    () => {
      check(
        'any bytes, whole frames, bounded memory',
        fc.property(fc.oneof(chunkedBytes(3000), syncRich), ([bytes, cuts]) => {
          const run = parse(chunkAt(bytes, cuts));
          for (const f of run.frames) expect(parseAdtsHeader(Uint8Array.from(f.bytes), 0)?.frameBytes).toBe(f.bytes.length);
          expect(run.maxHeldBytes).toBeLessThan(ADTS_MAX_FRAME_BYTES + 7);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'frames, offsets, errors and dropped bytes do not depend on chunking',
    () => {
      check(
        'chunking invariance',
        fc.property(fc.oneof(chunkedBytes(3000), syncRich), ([bytes, cuts]) => {
          const { maxHeldBytes: _a, ...chunked } = parse(chunkAt(bytes, cuts));
          const { maxHeldBytes: _b, ...whole } = parse([bytes]);
          expect(chunked).toEqual(whole);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'frames -> parse is the identity, with or without CRC, in any chunking',
    () => {
      check(
        'round trip',
        fc.property(
          config,
          fc.array(fc.tuple(payload, fc.boolean()), { maxLength: 12 }),
          fc.array(fc.nat({ max: 8000 }), { maxLength: 12 }),
          (c, specs, cuts) => {
            const frames = specs.map(([p, crc]) => adtsFrame(c, p, crc));
            const stream = Uint8Array.from(frames.flatMap((f) => [...f]));
            const run = parse(chunkAt(stream, cuts));
            expect(run.frames.map((f) => f.bytes)).toEqual(frames.map((f) => [...f]));
            expect(run.errors).toBe(0);
          },
        ),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'garbage between frames (no 0xFF in it) is skipped: every frame from the first confirmed one comes out, one error per garbage run',
    () => {
      const garbage = fc.uint8Array({ minLength: 1, maxLength: 100 }).map((b) => b.map((x) => (x === 0xff ? 0 : x)));
      check(
        'resync after garbage',
        fc.property(config, fc.array(fc.tuple(payload, fc.option(garbage, { nil: undefined })), { minLength: 1, maxLength: 10 }), (c, specs) => {
          const frames = specs.map(([p]) => adtsFrame(c, p));
          const stream = Uint8Array.from(specs.flatMap(([, g], i) => [...frames[i]!, ...(g ?? [])]));
          const run = parse([stream]);
          // The first sync needs a second header right after the frame (or the end of the
          // stream): frames before the first such one are garbage, one run with what follows them.
          let first = specs.findIndex(([, g], i) => !g || i === specs.length - 1);
          if (specs[first]![1] && first === specs.length - 1) first = specs.length; // ends in garbage: nothing confirms it
          const runs = (first > 0 ? 1 : 0) + specs.slice(first).filter(([, g]) => g).length;
          expect(run.frames.map((f) => f.bytes)).toEqual(frames.slice(first).map((f) => [...f]));
          expect(run.errors).toBe(runs);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'a plausible fake header in leading garbage, or a config change, never loses the real frames after it',
    () => {
      const other = (c: AdtsConfig): AdtsConfig => ({ ...c, sampleRateIndex: (c.sampleRateIndex + 1) % 13 });
      check(
        're-lock',
        fc.property(
          config,
          fc.uint8Array({ maxLength: 40 }).map((b) => b.map((x) => (x === 0xff ? 0 : x))),
          fc.array(payload, { minLength: 2, maxLength: 8 }),
          fc.array(payload, { minLength: 2, maxLength: 8 }),
          (c, junk, a, b) => {
            const fake = adtsFrame(other(c), Uint8Array.of(1, 2, 3));
            const first = a.map((p) => adtsFrame(c, p));
            const second = b.map((p) => adtsFrame(other(c), p));
            const stream = Uint8Array.from([...fake, ...junk, 0x11, ...first.flatMap((f) => [...f]), ...second.flatMap((f) => [...f])]);
            const run = parse([stream]);
            expect(run.frames.map((f) => f.bytes)).toEqual([...first, ...second].map((f) => [...f]));
            expect(run.errors).toBe(1);
            expect(run.droppedBytes).toBe(fake.byteLength + junk.byteLength + 1);
          },
        ),
      );
    },
    fuzzTimeoutMs(),
  );
});
