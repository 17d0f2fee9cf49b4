import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TokenSigningKey } from '../../contract/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { TokenSecrets } from './token-secrets.ts';

/** How long fetched secrets are trusted before they are read again. */
const CACHE_MS = 5 * 60 * 1000;

/**
 * Token secrets from Secrets Manager. The secret's VersionId is the token key version:
 * AWSCURRENT signs, AWSCURRENT and AWSPREVIOUS verify, so rotating the secret keeps
 * sessions issued just before the rotation working. Both stages are read together and
 * cached; a version that is neither is refused without another call. The secret string
 * is used as UTF-8 bytes (Secrets Manager's generated passwords are fine; 32+ characters).
 */
export function secretsManagerTokenSecrets(client: SecretsManagerClient, secretId: string, clock: Clock): TokenSecrets {
  let cached: { atMs: number; current: TokenSigningKey; previous?: TokenSigningKey } | undefined;
  let inflight: Promise<NonNullable<typeof cached>> | undefined;

  async function stage(stageName: string): Promise<TokenSigningKey | undefined> {
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stageName }));
      const bytes = out.SecretString !== undefined ? Buffer.from(out.SecretString, 'utf8') : out.SecretBinary ? Buffer.from(out.SecretBinary) : undefined;
      if (!bytes || !out.VersionId) return undefined;
      return { version: out.VersionId, secret: bytes };
    } catch (e) {
      if (e instanceof ResourceNotFoundException && stageName !== 'AWSCURRENT') return undefined;
      throw e;
    }
  }

  async function load() {
    if (cached && clock.nowMs() - cached.atMs < CACHE_MS) return cached;
    inflight ??= (async () => {
      try {
        const [current, previous] = await Promise.all([stage('AWSCURRENT'), stage('AWSPREVIOUS')]);
        if (!current) throw new Error(`secret ${secretId} has no AWSCURRENT value`);
        cached = { atMs: clock.nowMs(), current, ...(previous ? { previous } : {}) };
        return cached;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  return {
    signing: async () => (await load()).current,
    verifying: async (version) => {
      const c = await load();
      if (c.current.version === version) return c.current.secret;
      if (c.previous?.version === version) return c.previous.secret;
      return undefined;
    },
  };
}
