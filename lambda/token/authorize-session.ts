import { ContractError, TokenError, TokenProblem, readTokenKeyVersion, verifySessionToken, type SessionClaims } from '../../contract/index.ts';
import { ForbiddenError } from '../shared/playback-error.ts';
import type { TokenSecrets } from './token-secrets.ts';

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
