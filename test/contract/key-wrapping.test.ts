import { constants, createHash, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptWrappedKeyLocally,
  KeyBindingError,
  keyBinding,
  loadWrappingPublicKey,
  openWrappedKeyPlaintext,
  unwrapDataKeyLocally,
  wrapDataKey,
  WrappedKeyFormat,
} from '../../contract/index.ts';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pub = loadWrappingPublicKey(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
const A = { deviceId: 'cam-a', keyId: '0123456789abcdef0123456789abcdef' };
const B = { deviceId: 'cam-b', keyId: A.keyId };

describe('key wrapping (RSA-OAEP-SHA256, format 2: bound to camera and key id)', () => {
  it('unwraps what it wraps, from a PEM and from KMS-style base64 DER', () => {
    const dataKey = randomBytes(16);
    const der = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    for (const key of [pub, loadWrappingPublicKey(der)]) {
      const wrapped = wrapDataKey(key, dataKey, A);
      expect(wrapped).toHaveLength(256);
      expect(unwrapDataKeyLocally(pair.privateKey, wrapped, A).equals(dataKey)).toBe(true);
    }
  });

  it('the plaintext is 0x02 || dataKey || SHA-256("camrec-key-binding-v2" 0 deviceId 0 keyId), checked by node:crypto', () => {
    const dataKey = randomBytes(16);
    const plain = decryptWrappedKeyLocally(pair.privateKey, wrapDataKey(pub, dataKey, A));
    expect(plain).toHaveLength(49);
    expect(plain[0]).toBe(2);
    expect(plain.subarray(1, 17).equals(dataKey)).toBe(true);
    expect(plain.subarray(17).equals(keyBinding(A))).toBe(true);
    expect(keyBinding(A).toString('hex')).toBe(
      // independent: the same digest from its definition
      createHash('sha256')
        .update(Buffer.concat([Buffer.from('camrec-key-binding-v2'), Buffer.of(0), Buffer.from('cam-a'), Buffer.of(0), Buffer.from(A.keyId)]))
        .digest('hex'),
    );
  });

  it("refuses camera A's wrapped key opened as camera B's, or under another key id", () => {
    const plain = decryptWrappedKeyLocally(pair.privateKey, wrapDataKey(pub, randomBytes(16), A));
    expect(() => openWrappedKeyPlaintext(plain, B)).toThrow(KeyBindingError);
    expect(() => openWrappedKeyPlaintext(plain, { ...A, keyId: 'f'.repeat(32) })).toThrow(/bound to another camera or key id/);
    expect(openWrappedKeyPlaintext(plain, A).format).toBe(WrappedKeyFormat.BOUND_V2);
  });

  it('reads a legacy 16-byte plaintext as LEGACY_UNBOUND (the caller decides) and refuses unknown formats', () => {
    const legacy = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.alloc(16, 9));
    expect(openWrappedKeyPlaintext(decryptWrappedKeyLocally(pair.privateKey, legacy), A)).toEqual({
      dataKey: Buffer.alloc(16, 9),
      format: WrappedKeyFormat.LEGACY_UNBOUND,
    });
    expect(() => unwrapDataKeyLocally(pair.privateKey, legacy, A)).toThrow(/legacy unbound/);
    expect(() => openWrappedKeyPlaintext(Buffer.alloc(49, 3), A)).toThrow(/unknown format/);
    expect(() => openWrappedKeyPlaintext(Buffer.alloc(32), A)).toThrow(/unknown format/);
  });

  it('draws fresh randomness each time (OAEP), refuses wrong sizes and bad keys', () => {
    const k = randomBytes(16);
    expect(wrapDataKey(pub, k, A).equals(wrapDataKey(pub, k, A))).toBe(false);
    expect(() => wrapDataKey(pub, randomBytes(15), A)).toThrow(/16 bytes/);
    expect(() => loadWrappingPublicKey('not a key')).toThrow(/RSA public key/);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => unwrapDataKeyLocally(other.privateKey, wrapDataKey(pub, k, A), A)).toThrow();
  });
});
