import { createCipheriv, createDecipheriv, randomBytes, type Cipher } from 'node:crypto';
import { MediaArgumentError } from '../../../media/media-error.ts';

export const AES_128_KEY_BYTES = 16;
export const AES_BLOCK_BYTES = 16;
/**
 * Bytes per OpenSSL call: large enough to run at full speed, small enough that each call's
 * output (a Buffer that lives until a GC) comes from malloc's heap, whose freed memory is
 * reused, not a fresh mapping of its own (1 MB calls were slower: each output was fresh,
 * page-faulted memory; 32-128 KB ran alike).
 */
const ENCRYPT_CHUNK_BYTES = 64 * 1024;

function checkKeyIv(key: Uint8Array, iv: Uint8Array): void {
  if (key.byteLength !== AES_128_KEY_BYTES) {
    throw new MediaArgumentError(`AES-128 key must be ${AES_128_KEY_BYTES} bytes, got ${key.byteLength}: pass a 16-byte data key`);
  }
  if (iv.byteLength !== AES_BLOCK_BYTES) {
    throw new MediaArgumentError(`AES-128 IV must be ${AES_BLOCK_BYTES} bytes, got ${iv.byteLength}: pass a 16-byte IV (32 hex digits)`);
  }
}

/** A fresh random IV for one segment (HLS AES-128 names it in the playlist's EXT-X-KEY). */
export function randomSegmentIv(): Uint8Array {
  return randomBytes(AES_BLOCK_BYTES);
}

/**
 * HLS AES-128 of a segment that comes in parts (a writer streaming it out as it is muxed):
 * update() each part in order, then final() for the padding; the bytes out are those
 * encryptSegment() gives for the whole segment.
 */
export function createSegmentCipher(key: Uint8Array, iv: Uint8Array): Cipher {
  checkKeyIv(key, iv);
  return createCipheriv('aes-128-cbc', key, iv);
}

/**
 * HLS AES-128 (RFC 8216 section 5.2): the whole segment in AES-128-CBC with PKCS#7
 * padding and an explicit IV, in 64 KB chunks (never per 188-byte packet). Output length: plain length rounded up to the next
 * multiple of 16 (always at least one byte of padding). Allocates the output; see
 * encryptSegmentInPlace() to reuse the segment's own memory.
 */
export function encryptSegment(plain: Uint8Array, key: Uint8Array, iv: Uint8Array): Uint8Array {
  checkKeyIv(key, iv);
  // allocUnsafe: every byte is overwritten below (no zero-fill pass over a whole segment).
  const out = Buffer.allocUnsafe(paddedLength(plain.byteLength));
  encryptChunks(plain, plain.byteLength, out, key, iv);
  return out;
}

/**
 * AES-128-CBC of `plain[0, plainBytes)` with PKCS#7 padding into `out` from offset 0
 * (`out` may be `plain`'s own memory: CBC output never runs ahead of its input). Each
 * cipher.update() output is a fresh Buffer copied into `out`. (`camrec segment` once took
 * them as latin1 strings, which die in the young generation while Buffers wait for a GC;
 * measured again without the huge-page re-run, Buffers were faster: in-process 199 -> 218
 * MB/s on the bench input, 9 runs each, interleaved.)
 */
function encryptChunks(plain: Uint8Array, plainBytes: number, out: Buffer, key: Uint8Array, iv: Uint8Array): void {
  const cipher = createSegmentCipher(key, iv);
  let o = 0;
  for (let at = 0; at < plainBytes; at += ENCRYPT_CHUNK_BYTES) {
    const part = cipher.update(plain.subarray(at, Math.min(at + ENCRYPT_CHUNK_BYTES, plainBytes)));
    out.set(part, o);
    o += part.byteLength;
  }
  out.set(cipher.final(), o);
}

/**
 * encryptSegment() without a second segment in memory: `buf` holds `plainBytes` plain
 * bytes at its start and must be at least paddedLength(plainBytes) long (the padding
 * goes after them). The ciphertext overwrites the plain text; returns the view
 * buf.subarray(0, paddedLength(plainBytes)). Safe because CBC output never runs ahead of
 * its input: each 64 KB call's output lands on bytes OpenSSL has already read.
 */
export function encryptSegmentInPlace(buf: Uint8Array, plainBytes: number, key: Uint8Array, iv: Uint8Array): Uint8Array {
  checkKeyIv(key, iv);
  const total = paddedLength(plainBytes);
  if (!(plainBytes >= 0 && plainBytes <= buf.byteLength) || total > buf.byteLength) {
    throw new MediaArgumentError(
      `encryptSegmentInPlace: a buffer of ${buf.byteLength} bytes cannot hold ${plainBytes} plain bytes plus padding (${total} bytes): pass a larger buffer, or use encryptSegment()`,
    );
  }
  encryptChunks(buf, plainBytes, Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), key, iv);
  return buf.subarray(0, total);
}

/** The reverse of encryptSegment (for tests and tools; players do this themselves). */
export function decryptSegment(encrypted: Uint8Array, key: Uint8Array, iv: Uint8Array): Uint8Array {
  checkKeyIv(key, iv);
  const decipher = createDecipheriv('aes-128-cbc', key, iv);
  const body = decipher.update(encrypted);
  const tail = decipher.final();
  const out = new Uint8Array(body.byteLength + tail.byteLength);
  out.set(body, 0);
  out.set(tail, body.byteLength);
  return out;
}

/** Ciphertext length for a plain length under PKCS#7: the next multiple of 16 above it. */
export function paddedLength(plainBytes: number): number {
  return (Math.floor(plainBytes / AES_BLOCK_BYTES) + 1) * AES_BLOCK_BYTES;
}
