import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SessionMode, signSessionToken, TokenError, TokenProblem, verifySessionToken, type SessionClaims } from '../../../contract/token.ts';
import { createFuzzSuite, fuzzTimeoutMs, thrownBy } from '../support/fuzz-runner.ts';
import { applyEdits, stringEdit } from '../support/mutations.ts';

const check = createFuzzSuite('contract-token');

const SECRET = randomBytes(32);
const OTHER_SECRET = randomBytes(32);
const NOW_MS = Date.UTC(2026, 10, 21);
const NOW_S = NOW_MS / 1000;

const deviceId = fc.stringMatching(/^[A-Za-z0-9_:-]{1,128}$/);
const expiresAtSeconds = fc.integer({ min: NOW_S + 1, max: NOW_S + 43_200 });
const range = fc.tuple(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.integer({ min: 1, max: 86_400_000 }));
const claims: fc.Arbitrary<SessionClaims> = fc.oneof(
  fc.record({ deviceId, mode: fc.constant(SessionMode.LIVE), issuedAtSeconds: fc.constant(NOW_S), expiresAtSeconds }),
  fc.tuple(deviceId, range, fc.boolean(), expiresAtSeconds).map(([d, [s, len], withEnd, x]) => ({
    deviceId: d,
    mode: SessionMode.LIVE_REPLAY,
    startMs: s,
    ...(withEnd ? { endMs: s + len } : {}),
    issuedAtSeconds: NOW_S,
    expiresAtSeconds: x,
  })),
  fc
    .tuple(deviceId, range, expiresAtSeconds)
    .map(([d, [s, len], x]) => ({ deviceId: d, mode: SessionMode.ON_DEMAND, startMs: s, endMs: s + len, issuedAtSeconds: NOW_S, expiresAtSeconds: x })),
);
const version = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const signed = fc.tuple(claims, version).map(([c, v]) => ({ claims: c, token: signSessionToken(c, { version: v, secret: SECRET }) }));

const b64url = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`));
/** Inputs a client could send as {token} in the URL, or a handler could be handed by mistake. */
const anyToken = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.tuple(b64url(1, 64), b64url(1, 300), b64url(1, 60)).map((p) => p.join('.')),
  fc.string({ minLength: 1020, maxLength: 1030 }),
  fc.anything(),
);

describe('verifySessionToken (the {token} path element from any client)', () => {
  test(
    'any input: claims or a TokenError, nothing else',
    () => {
      check(
        'any input throws only TokenError',
        fc.property(anyToken, fc.boolean(), (t, knownVersion) => {
          const err = thrownBy(() => verifySessionToken(t, knownVersion ? SECRET : undefined, NOW_MS));
          expect(err, 'random input verified').toBeInstanceOf(TokenError);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'sign -> verify returns the claims signed',
    () => {
      check(
        'round trip',
        fc.property(signed, ({ claims: c, token }) => {
          expect(verifySessionToken(token, SECRET, NOW_MS)).toEqual(c);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'a token signed with another secret never verifies',
    () => {
      check(
        'other secret refused',
        fc.property(claims, (c) => {
          const forged = signSessionToken(c, { version: 'v1', secret: OTHER_SECRET });
          const err = thrownBy(() => verifySessionToken(forged, SECRET, NOW_MS));
          expect(err).toBeInstanceOf(TokenError);
          expect((err as TokenError).problem).toBe(TokenProblem.BAD_SIGNATURE);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'claims edited and re-encoded under the old MAC never verify',
    () => {
      check(
        'edited claims refused',
        fc.property(signed, claims, ({ token }, other) => {
          const [v, , m] = token.split('.');
          const payload = Buffer.from(
            JSON.stringify({ c: other.deviceId, m: other.mode, s: other.startMs, e: other.endMs, x: other.expiresAtSeconds }),
          ).toString('base64url');
          const err = thrownBy(() => verifySessionToken(`${v}.${payload}.${m}`, SECRET, NOW_MS));
          const same = `${v}.${payload}.${m}` === token;
          expect(same || err instanceof TokenError).toBe(true);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'a mutated token never verifies (one token string per grant)',
    () => {
      check(
        'mutated tokens refused',
        fc.property(signed, fc.array(stringEdit, { minLength: 1, maxLength: 4 }), ({ token }, edits) => {
          const mutated = applyEdits(token, edits);
          if (mutated === token) return;
          const err = thrownBy(() => verifySessionToken(mutated, SECRET, NOW_MS));
          expect(err, `mutated token ${mutated} verified`).toBeInstanceOf(TokenError);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    "changing only the unused low bits of the MAC's last character is refused",
    () => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      check(
        'mac spelling refused',
        fc.property(signed, fc.integer({ min: 1, max: 3 }), ({ token }, lowBits) => {
          const last = alphabet.indexOf(token.at(-1)!);
          const respelled = token.slice(0, -1) + alphabet[(last & ~3) | ((last & 3) ^ lowBits)]!;
          expect(Buffer.from(respelled.split('.')[2]!, 'base64url')).toEqual(Buffer.from(token.split('.')[2]!, 'base64url'));
          expect(thrownBy(() => verifySessionToken(respelled, SECRET, NOW_MS))).toBeInstanceOf(TokenError);
        }),
      );
    },
    fuzzTimeoutMs(),
  );

  test(
    'a token is refused once its expiry has passed',
    () => {
      check(
        'expired refused',
        fc.property(signed, fc.nat({ max: 86_400_000 }), ({ claims: c, token }, lateMs) => {
          const err = thrownBy(() => verifySessionToken(token, SECRET, c.expiresAtSeconds * 1000 + lateMs));
          expect((err as TokenError).problem).toBe(TokenProblem.EXPIRED);
        }),
      );
    },
    fuzzTimeoutMs(),
  );
});
