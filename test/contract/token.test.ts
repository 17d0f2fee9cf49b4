import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readTokenKeyVersion, signSessionToken, TokenError, verifySessionToken, type SessionClaims } from '../../contract/index.ts';

const secret = randomBytes(32);
const key = { version: 'k2', secret };
const NOW = Date.UTC(2026, 5, 1);
const claims: SessionClaims = {
  deviceId: 'cam-1',
  mode: 'ON_DEMAND',
  startMs: NOW - 3_600_000,
  endMs: NOW,
  issuedAtSeconds: NOW / 1000 - 60,
  expiresAtSeconds: NOW / 1000 + 600,
};

const problem = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof TokenError) return e.problem;
    return `other: ${(e as Error).message}`;
  }
  return 'accepted';
};

describe('session token', () => {
  it('round-trips the claims and names its key version', () => {
    const t = signSessionToken(claims, key);
    expect(t).toMatch(/^k2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(readTokenKeyVersion(t)).toBe('k2');
    expect(verifySessionToken(t, secret, NOW)).toEqual(claims);
  });

  it('refuses a token one millisecond after expiry, accepts it one before', () => {
    const t = signSessionToken(claims, key);
    expect(problem(() => verifySessionToken(t, secret, claims.expiresAtSeconds * 1000 - 1))).toBe('accepted');
    expect(problem(() => verifySessionToken(t, secret, claims.expiresAtSeconds * 1000))).toBe('expired');
  });

  it('refuses every single-character change anywhere in the token', () => {
    for (let n = 0; n < 20; n++) {
      const t = signSessionToken({ ...claims, expiresAtSeconds: claims.expiresAtSeconds + n }, key);
      for (let i = 0; i < t.length; i++) {
        for (const c of ['A', 'B', 'C', 'D', '_']) {
          if (t[i] === c) continue;
          const bad = t.slice(0, i) + c + t.slice(i + 1);
          const p = problem(() => verifySessionToken(bad, i < 2 ? undefined : secret, NOW));
          expect(['bad-signature', 'malformed', 'unknown-key-version'], `position ${i} -> ${c}: ${p}`).toContain(p);
        }
      }
    }
  });

  it('refuses another secret, an unknown version, a truncated mac and junk', () => {
    const t = signSessionToken(claims, key);
    expect(problem(() => verifySessionToken(t, randomBytes(32), NOW))).toBe('bad-signature');
    expect(problem(() => verifySessionToken(t, undefined, NOW))).toBe('unknown-key-version');
    expect(problem(() => verifySessionToken(t.slice(0, -2), secret, NOW))).toBe('bad-signature');
    for (const junk of ['', 'a.b', 'a.b.c.d', 'k2..x', 'k 2.a.b', 'x'.repeat(2000), 42, null]) {
      expect(problem(() => verifySessionToken(junk, secret, NOW))).toBe('malformed');
    }
  });

  it('refuses a validly signed payload whose claims are inconsistent', () => {
    const payload = Buffer.from(JSON.stringify({ c: '../cam', m: 'LIVE', x: NOW / 1000 + 60 })).toString('base64url');
    const mac = createHmac('sha256', secret).update(`camrec-session-v1.k2.${payload}`).digest('base64url');
    expect(problem(() => verifySessionToken(`k2.${payload}.${mac}`, secret, NOW))).toBe('malformed');
  });

  it('refuses a validly signed token without an issue time, or living longer than 12 h after it', () => {
    const signRaw = (wire: object) => {
      const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
      return `k2.${payload}.${createHmac('sha256', secret).update(`camrec-session-v1.k2.${payload}`).digest('base64url')}`;
    };
    expect(problem(() => verifySessionToken(signRaw({ c: 'cam-1', m: 'LIVE', x: NOW / 1000 + 60 }), secret, NOW))).toBe('malformed');
    expect(problem(() => verifySessionToken(signRaw({ c: 'cam-1', m: 'LIVE', i: NOW / 1000 - 43_200, x: NOW / 1000 + 60 }), secret, NOW))).toBe('malformed');
    expect(problem(() => verifySessionToken(signRaw({ c: 'cam-1', m: 'LIVE', i: NOW / 1000 - 60, x: NOW / 1000 + 60 }), secret, NOW))).toBe('accepted');
  });

  it('will not sign inconsistent claims or with a short secret', () => {
    expect(() => signSessionToken({ ...claims, endMs: undefined }, key)).toThrow(/ON_DEMAND session needs an end/);
    expect(() => signSessionToken({ ...claims, mode: 'LIVE' }, key)).toThrow(/LIVE session takes no start/);
    expect(() => signSessionToken({ ...claims, endMs: claims.startMs }, key)).toThrow(/end must be after the start/);
    expect(() => signSessionToken(claims, { version: 'k2', secret: randomBytes(16) })).toThrow(/at least 32 bytes/);
    expect(() => signSessionToken(claims, { version: 'k.2', secret })).toThrow(/key version/);
  });
});
