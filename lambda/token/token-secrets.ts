import type { TokenSigningKey } from '../../contract/index.ts';

/**
 * Where session-token HMAC secrets come from. `signing()` is the current secret;
 * `verifying(version)` answers the secret for a version still accepted (current or
 * previous), or undefined, without a remote call for unknown versions.
 */
export interface TokenSecrets {
  signing(): Promise<TokenSigningKey>;
  verifying(version: string): Promise<Uint8Array | undefined>;
}

/** A fixed secret list (local mode, tests): the first signs, all verify. */
export function staticTokenSecrets(keys: readonly TokenSigningKey[]): TokenSecrets {
  if (keys.length === 0) throw new Error('staticTokenSecrets needs at least one key');
  const byVersion = new Map(keys.map((k) => [k.version, k.secret]));
  return {
    signing: async () => keys[0]!,
    verifying: async (version) => byVersion.get(version),
  };
}
