import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptSegment, paddedLength } from '../../../../device/media/encrypt/encrypt-segment.ts';
import { MediaArgumentError } from '../../../../media/media-error.ts';

describe('encryptSegment (HLS AES-128)', () => {
  it('is AES-128-CBC with PKCS#7 that node:crypto decrypts back', () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    for (const n of [0, 1, 15, 16, 188, 188 * 1000 + 3]) {
      const plain = randomBytes(n);
      const enc = encryptSegment(plain, key, iv);
      expect(enc.byteLength).toBe(paddedLength(n));
      expect(enc.byteLength % 16).toBe(0);
      const d = createDecipheriv('aes-128-cbc', key, iv);
      expect(Buffer.concat([d.update(enc), d.final()]).equals(plain)).toBe(true);
    }
  });

  it('matches a known AES-128-CBC vector (NIST SP 800-38A F.2.1, first block)', () => {
    const key = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
    const iv = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const plain = Buffer.from('6bc1bee22e409f96e93d7e117393172a', 'hex');
    expect(Buffer.from(encryptSegment(plain, key, iv).subarray(0, 16)).toString('hex')).toBe('7649abac8119b246cee98e9b12e9197d');
  });

  it('refuses keys and IVs that are not 16 bytes', () => {
    expect(() => encryptSegment(new Uint8Array(4), new Uint8Array(15), new Uint8Array(16))).toThrow(MediaArgumentError);
    expect(() => encryptSegment(new Uint8Array(4), new Uint8Array(16), new Uint8Array(8))).toThrow(/IV must be 16 bytes/);
  });
});
