import { createHmac, timingSafeEqual } from 'node:crypto';
import { ContractError } from './contract-error.ts';
import { assertDeviceId } from './ids.ts';

/**
 * Session tokens: a signed, self-contained grant to play one camera. No database read per
 * request; the playback API checks the HMAC and the expiry and trusts the claims.
 *
 * Wire layout (all parts base64url without padding, joined by '.'):
 *
 *   {keyVersion}.{payload}.{mac}
 *   keyVersion  1..64 of [A-Za-z0-9_-]: which HMAC secret signed it (so the secret can rotate)
 *   payload     base64url(JSON {c: deviceId, m: mode, s?: startMs, e?: endMs, i: issued-at epoch s, x: expiry epoch s})
 *
 * The issue time bounds what a LIVE session reaches (see sessionReach in
 * lambda/playlist/session-reach.ts): a token without `i` is malformed.
 *   mac         base64url(HMAC-SHA256(secret, "camrec-session-v1." + keyVersion + "." + payload)), 32 bytes
 */
export const SessionMode = { LIVE: 'LIVE', LIVE_REPLAY: 'LIVE_REPLAY', ON_DEMAND: 'ON_DEMAND' } as const;
export type SessionMode = (typeof SessionMode)[keyof typeof SessionMode];

export const TOKEN_MAC_DOMAIN = 'camrec-session-v1' as const;
export const TOKEN_MAC_BYTES = 32;
export const TOKEN_MAX_CHARS = 1024;
export const TOKEN_SECRET_MIN_BYTES = 32;
export const TOKEN_KEY_VERSION_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Session lifetime bounds in seconds (5 min .. 12 h) and the default (1 h). */
export const SessionLifetime = { MIN_SECONDS: 300, MAX_SECONDS: 43_200, DEFAULT_SECONDS: 3_600 } as const;

export interface SessionClaims {
  deviceId: string;
  mode: SessionMode;
  /** UTC ms; required for LIVE_REPLAY and ON_DEMAND. */
  startMs?: number;
  /** UTC ms, exclusive; required for ON_DEMAND, optional for LIVE_REPLAY. */
  endMs?: number;
  /** When the token was issued, whole seconds since the epoch. */
  issuedAtSeconds: number;
  /** Expiry, whole seconds since the epoch; at most SessionLifetime.MAX_SECONDS after issue. */
  expiresAtSeconds: number;
}

export interface TokenSigningKey {
  version: string;
  secret: Uint8Array;
}

/** Why a token was refused; every reason is the client's fault (a 4xx). */
export const TokenProblem = {
  MALFORMED: 'malformed',
  UNKNOWN_KEY_VERSION: 'unknown-key-version',
  BAD_SIGNATURE: 'bad-signature',
  EXPIRED: 'expired',
} as const;
export type TokenProblem = (typeof TokenProblem)[keyof typeof TokenProblem];

export class TokenError extends ContractError {
  override readonly name: string = 'TokenError';
  readonly problem: TokenProblem;
  constructor(problem: TokenProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.problem = problem;
  }
}

const B64URL_RE = /^[A-Za-z0-9_-]+$/;
const MODES = new Set<string>(Object.values(SessionMode));

function mac(secret: Uint8Array, version: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${TOKEN_MAC_DOMAIN}.${version}.${payload}`).digest();
}

function assertSecret(secret: Uint8Array): void {
  if (secret.length < TOKEN_SECRET_MIN_BYTES) {
    throw new ContractError(`a session-token secret must be at least ${TOKEN_SECRET_MIN_BYTES} bytes, got ${secret.length}: use 32 random bytes`);
  }
}

/** Checks the claims' own consistency (mode vs range); throws ContractError naming the problem. */
export function assertSessionClaims(c: SessionClaims): SessionClaims {
  assertDeviceId(c.deviceId);
  if (!MODES.has(c.mode)) throw new ContractError(`invalid session mode ${JSON.stringify(c.mode)}: must be one of ${[...MODES].join(', ')}`);
  for (const [name, v] of [
    ['startMs', c.startMs],
    ['endMs', c.endMs],
  ] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new ContractError(`invalid ${name} ${v}: must be a whole number of UTC ms`);
  }
  if (!Number.isSafeInteger(c.expiresAtSeconds) || c.expiresAtSeconds <= 0) throw new ContractError(`invalid expiry ${c.expiresAtSeconds}`);
  if (!Number.isSafeInteger(c.issuedAtSeconds) || c.issuedAtSeconds <= 0) throw new ContractError(`invalid issue time ${c.issuedAtSeconds}`);
  if (c.expiresAtSeconds <= c.issuedAtSeconds || c.expiresAtSeconds - c.issuedAtSeconds > SessionLifetime.MAX_SECONDS) {
    throw new ContractError(
      `a session lives more than 0 and at most ${SessionLifetime.MAX_SECONDS} s after issue; issued ${c.issuedAtSeconds}, expires ${c.expiresAtSeconds}`,
    );
  }
  if (c.mode === SessionMode.LIVE && (c.startMs !== undefined || c.endMs !== undefined)) throw new ContractError('a LIVE session takes no start or end');
  if (c.mode !== SessionMode.LIVE && c.startMs === undefined) throw new ContractError(`a ${c.mode} session needs a start`);
  if (c.mode === SessionMode.ON_DEMAND && c.endMs === undefined) throw new ContractError('an ON_DEMAND session needs an end');
  if (c.startMs !== undefined && c.endMs !== undefined && c.endMs <= c.startMs) throw new ContractError('the end must be after the start');
  return c;
}

export function signSessionToken(claims: SessionClaims, key: TokenSigningKey): string {
  assertSessionClaims(claims);
  assertSecret(key.secret);
  if (!TOKEN_KEY_VERSION_PATTERN.test(key.version))
    throw new ContractError(`invalid token key version ${JSON.stringify(key.version)}: must be 1-64 of A-Z a-z 0-9 _ -`);
  const wire: Record<string, unknown> = { c: claims.deviceId, m: claims.mode, i: claims.issuedAtSeconds, x: claims.expiresAtSeconds };
  if (claims.startMs !== undefined) wire.s = claims.startMs;
  if (claims.endMs !== undefined) wire.e = claims.endMs;
  const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${key.version}.${payload}.${mac(key.secret, key.version, payload).toString('base64url')}`;
}

/** The key version a token names, read without trusting anything else in it. */
export function readTokenKeyVersion(token: unknown): string {
  return splitToken(token)[0];
}

function splitToken(token: unknown): [string, string, string] {
  if (typeof token !== 'string' || token.length === 0 || token.length > TOKEN_MAX_CHARS) {
    throw new TokenError(TokenProblem.MALFORMED, `session token is not a string of 1-${TOKEN_MAX_CHARS} characters: ask the API for a new playlist URL`);
  }
  const parts = token.split('.');
  if (parts.length !== 3 || !TOKEN_KEY_VERSION_PATTERN.test(parts[0]!) || !B64URL_RE.test(parts[1]!) || !B64URL_RE.test(parts[2]!)) {
    throw new TokenError(TokenProblem.MALFORMED, 'session token is not {version}.{payload}.{mac} in base64url: copy the whole playlist URL the API returned');
  }
  return parts as [string, string, string];
}

/**
 * Verifies a token against the secret for its key version (undefined when the version is
 * unknown) and the current time; the MAC is compared in constant time before the payload
 * is parsed. Returns the claims or throws TokenError.
 */
export function verifySessionToken(token: unknown, secret: Uint8Array | undefined, nowMs: number): SessionClaims {
  const [version, payload, macText] = splitToken(token);
  if (!secret)
    throw new TokenError(
      TokenProblem.UNKNOWN_KEY_VERSION,
      `session token was signed with key version ${JSON.stringify(version)}, which this deployment does not know (rotated out?): ask for a new playlist URL`,
    );
  // Compare the MAC's canonical base64url text, not its decoded bytes: the last of its 43
  // characters carries 2 unused bits, so decoding would accept 4 spellings of one MAC.
  const expected = Buffer.from(mac(secret, version, payload).toString('base64url'));
  const given = Buffer.from(macText);
  // Compare equal-length buffers only; a length mismatch is itself a bad signature.
  const same = given.length === expected.length && timingSafeEqual(given, expected);
  if (!same)
    throw new TokenError(TokenProblem.BAD_SIGNATURE, 'session token signature does not match: the token was altered or forged; ask for a new playlist URL');
  let claims: SessionClaims;
  try {
    const wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims = assertSessionClaims({
      deviceId: wire.c as string,
      mode: wire.m as SessionMode,
      ...(wire.s !== undefined ? { startMs: wire.s as number } : {}),
      ...(wire.e !== undefined ? { endMs: wire.e as number } : {}),
      issuedAtSeconds: wire.i as number,
      expiresAtSeconds: wire.x as number,
    });
  } catch (cause) {
    throw new TokenError(TokenProblem.MALFORMED, 'session token payload is not valid claims', { cause });
  }
  if (claims.expiresAtSeconds * 1000 <= nowMs) {
    throw new TokenError(
      TokenProblem.EXPIRED,
      `session token expired at ${new Date(claims.expiresAtSeconds * 1000).toISOString()}: ask for a new playlist URL`,
    );
  }
  return claims;
}
