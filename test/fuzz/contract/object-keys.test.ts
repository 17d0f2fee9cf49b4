import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ContractError,
  MAX_TIME_MS,
  eventEndKey,
  eventKey,
  heartbeatKey,
  initKey,
  imageKey,
  parseObjectKey,
  segmentKey,
  wrappedKeyKey,
  type ParsedObjectKey,
} from '../../../contract/index.ts';
import { createFuzzSuite, fuzzTimeoutMs, thrownBy } from '../support/fuzz-runner.ts';
import { applyEdits, stringEdit } from '../support/mutations.ts';

const check = createFuzzSuite('contract-object-keys');

const deviceId = fc.stringMatching(/^[A-Za-z0-9_:-]{1,128}$/);
const startMs = fc.integer({ min: 0, max: MAX_TIME_MS });
const seq = fc.maxSafeNat();
const keyId = fc.stringMatching(/^[0-9a-f]{32}$/);
const eventId = fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/);

const container = fc.constantFrom('ts' as const, 'fmp4' as const);
const segmentParts = fc.record({ deviceId, startMs, seq, container });
const initParts = fc.record({ deviceId, initId: keyId });
const keyParts = fc.record({ deviceId, keyId });
const eventParts = fc.record({ deviceId, startMs, eventId });
const heartbeatParts = fc.record({ deviceId, atMs: startMs });
const imageParts = fc.record({ deviceId, tsMs: startMs, imageId: fc.stringMatching(/^[A-Za-z0-9]{1,32}$/), event: fc.boolean() });

/** Any valid key with the parts it was built from. */
const validKey = fc.oneof(
  segmentParts.map((p) => ({ key: segmentKey(p), parsed: { kind: 'segment', ...p } as ParsedObjectKey })),
  initParts.map((p) => ({ key: initKey(p), parsed: { kind: 'init', ...p } as ParsedObjectKey })),
  keyParts.map((p) => ({ key: wrappedKeyKey(p), parsed: { kind: 'key', ...p } as ParsedObjectKey })),
  eventParts.map((p) => ({ key: eventKey(p), parsed: { kind: 'event', phase: 'start', ...p } as ParsedObjectKey })),
  eventParts.map((p) => ({ key: eventEndKey(p), parsed: { kind: 'event', phase: 'end', ...p } as ParsedObjectKey })),
  heartbeatParts.map((p) => ({ key: heartbeatKey(p), parsed: { kind: 'heartbeat', ...p } as ParsedObjectKey })),
  imageParts.map((p) => ({ key: imageKey(p), parsed: { kind: 'image', ...p } as ParsedObjectKey })),
);

function rebuild(p: ParsedObjectKey): string {
  switch (p.kind) {
    case 'segment':
      return segmentKey(p);
    case 'init':
      return initKey(p);
    case 'key':
      return wrappedKeyKey(p);
    case 'event':
      return p.phase === 'end' ? eventEndKey(p) : eventKey(p);
    case 'heartbeat':
      return heartbeatKey(p);
    case 'image':
      return imageKey(p);
  }
}

/** Strings that look like keys: valid keys' pieces glued together, and noise. */
const keyLike = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'segments',
          'init',
          'keys',
          'events',
          'images',
          'event-images',
          '.jpg',
          '2026',
          '01',
          '..',
          '',
          '.ts',
          '.m4s',
          '.mp4',
          '.bin',
          '.json',
          '-',
        ),
        deviceId,
        fc.nat().map(String),
      ),
      { maxLength: 10 },
    )
    .map((a) => a.join('/')),
  fc.string({ minLength: 1000, maxLength: 1100 }),
);

describe('parseObjectKey (S3 event keys from outside)', () => {
  test(
    'any string: a parsed key or a ContractError, nothing else',
    () => {
      check(
        'any string throws only ContractError',
        fc.property(keyLike, (s) => {
          const err = thrownBy(() => parseObjectKey(s));
          expect(err === undefined || err instanceof ContractError, String(err)).toBe(true);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'build -> parse is the identity for every kind of key',
    () => {
      check(
        'round trip',
        fc.property(validKey, ({ key, parsed }) => {
          expect(parseObjectKey(key)).toEqual(parsed);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'a mutated key is refused, or it is itself exactly what the builder makes from its parts',
    () => {
      check(
        'mutated keys are canonical or refused',
        fc.property(validKey, fc.array(stringEdit, { minLength: 1, maxLength: 3 }), ({ key }, edits) => {
          const mutated = applyEdits(key, edits);
          let parsed: ParsedObjectKey;
          try {
            parsed = parseObjectKey(mutated);
          } catch (e) {
            expect(e).toBeInstanceOf(ContractError);
            return;
          }
          expect(rebuild(parsed)).toBe(mutated);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'no parsed device id can leave its prefix',
    () => {
      const mutatedKey = fc.tuple(validKey, fc.array(stringEdit, { minLength: 1, maxLength: 3 })).map(([{ key }, edits]) => applyEdits(key, edits));
      check(
        'device id stays one path element',
        fc.property(fc.oneof(keyLike, mutatedKey), (s) => {
          const err = thrownBy(() => parseObjectKey(s));
          if (err) return;
          const p = parseObjectKey(s);
          expect(p.deviceId).toMatch(/^[A-Za-z0-9_:-]{1,128}$/);
        }),
      );
    },
    fuzzTimeoutMs(),
  );
});
