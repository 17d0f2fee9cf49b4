import {
  ContractError,
  MAX_TIME_MS,
  TokenError,
  TokenProblem,
  assertDeviceId,
  readTokenKeyVersion,
  verifySessionToken,
  type SessionClaims,
} from '../../contract/index.ts';
import type { TokenSecrets } from '../token/token-secrets.ts';
import { BadRequestError, ForbiddenError } from './playback-error.ts';

/** ISO 8601 date-time with a zone, e.g. 2026-01-02T03:04:05Z or 2026-01-02T03:04:05.123+01:00. */
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = MAX_TIME_MS;

export function parseIsoMs(name: string, value: unknown): number {
  if (typeof value !== 'string' || !ISO_RE.test(value)) {
    throw new BadRequestError(
      'bad_time',
      `${name} must be an ISO 8601 date-time with a zone, e.g. 2026-01-02T03:04:05Z; got ${JSON.stringify(String(value).slice(0, 40))}`,
    );
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS)
    throw new BadRequestError('bad_time', `${name} ${JSON.stringify(value)} is not a date between 2000 and 9999`);
  return ms;
}

/** Path parameters arrive percent-encoded; a broken escape is the client's error. */
export function decodePathParam(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestError('bad_path', `${name} in the path is not valid percent-encoding`);
  }
}

export function cameraIdFromPath(raw: string): string {
  const id = decodePathParam('camera id', raw);
  try {
    return assertDeviceId(id);
  } catch (e) {
    throw new BadRequestError('bad_camera_id', (e as Error).message);
  }
}

const TOKEN_CODES: Record<TokenProblem, string> = {
  [TokenProblem.MALFORMED]: 'token_malformed',
  [TokenProblem.UNKNOWN_KEY_VERSION]: 'token_invalid',
  [TokenProblem.BAD_SIGNATURE]: 'token_invalid',
  [TokenProblem.EXPIRED]: 'token_expired',
};

/** Verifies the session token from the path; any problem is a 403 naming it. */
export async function authorizeSession(rawToken: string, secrets: TokenSecrets, nowMs: number): Promise<SessionClaims> {
  try {
    const version = readTokenKeyVersion(rawToken);
    return verifySessionToken(rawToken, await secrets.verifying(version), nowMs);
  } catch (e) {
    if (e instanceof TokenError) throw new ForbiddenError(TOKEN_CODES[e.problem], e.message, { cause: e });
    if (e instanceof ContractError) throw new ForbiddenError('token_malformed', e.message, { cause: e });
    throw e;
  }
}
