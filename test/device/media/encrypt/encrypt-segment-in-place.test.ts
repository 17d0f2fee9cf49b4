import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptSegment, encryptSegmentInPlace, paddedLength } from '../../../../device/media/encrypt/encrypt-segment.ts';
import { MediaArgumentError } from '../../../../media/media-error.ts';

describe('encryptSegmentInPlace', () => {
  const key = randomBytes(16);
  const iv = randomBytes(16);

  it('writes the same ciphertext as encryptSegment over the plain bytes, for sizes around the 64 KB call size', () => {
    for (const n of [0, 1, 15, 16, 17, 65_535, 65_536, 65_537, 3 * 65_536 + 188]) {
      const plain = randomBytes(n);
      const buf = Buffer.alloc(paddedLength(n) + 7, 0xee);
      buf.set(plain, 0);
      // encryptSegment (64 KB calls) gives what OpenSSL gives for the whole input in one call.
      const c = createCipheriv('aes-128-cbc', key, iv);
      expect(Buffer.from(encryptSegment(plain, key, iv)).equals(Buffer.concat([c.update(plain), c.final()]))).toBe(true);
      const out = encryptSegmentInPlace(buf, n, key, iv);
      expect(out.buffer).toBe(buf.buffer); // the caller's memory, no second segment
      expect(out.byteOffset).toBe(buf.byteOffset);
      expect(out.byteLength).toBe(paddedLength(n));
      expect(Buffer.from(out).equals(Buffer.from(encryptSegment(plain, key, iv)))).toBe(true);
      expect(buf.subarray(paddedLength(n)).every((b) => b === 0xee)).toBe(true); // nothing written past the padding
      const d = createDecipheriv('aes-128-cbc', key, iv);
      expect(Buffer.concat([d.update(out), d.final()]).equals(plain)).toBe(true);
    }
  });

  it('refuses a buffer without room for the padding, saying what to do', () => {
    expect(() => encryptSegmentInPlace(new Uint8Array(32), 32, key, iv)).toThrow(MediaArgumentError);
    expect(() => encryptSegmentInPlace(new Uint8Array(32), 32, key, iv)).toThrow(/cannot hold 32 plain bytes plus padding \(48 bytes\).*encryptSegment\(\)/);
    expect(() => encryptSegmentInPlace(new Uint8Array(64), 80, key, iv)).toThrow(MediaArgumentError);
    expect(() => encryptSegmentInPlace(new Uint8Array(48), 32, key, new Uint8Array(8))).toThrow(/IV must be 16 bytes/);
  });
});
