import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadWrappingPublicKey, unwrapDataKeyLocally, wrapDataKey } from '../../contract/index.ts';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('key wrapping (RSA-OAEP-SHA256)', () => {
  it('unwraps what it wraps, from a PEM and from KMS-style base64 DER', () => {
    const dataKey = randomBytes(16);
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const der = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    for (const pub of [loadWrappingPublicKey(pem), loadWrappingPublicKey(der)]) {
      const wrapped = wrapDataKey(pub, dataKey);
      expect(wrapped).toHaveLength(256);
      expect(unwrapDataKeyLocally(pair.privateKey, wrapped).equals(dataKey)).toBe(true);
    }
  });

  it('draws fresh randomness each time (OAEP), refuses wrong sizes and bad keys', () => {
    const pub = loadWrappingPublicKey(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const k = randomBytes(16);
    expect(wrapDataKey(pub, k).equals(wrapDataKey(pub, k))).toBe(false);
    expect(() => wrapDataKey(pub, randomBytes(15))).toThrow(/16 bytes/);
    expect(() => loadWrappingPublicKey('not a key')).toThrow(/RSA public key/);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => unwrapDataKeyLocally(other.privateKey, wrapDataKey(pub, k))).toThrow();
  });
});
