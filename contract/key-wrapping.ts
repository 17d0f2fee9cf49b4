import { constants, createHash, createPublicKey, privateDecrypt, publicEncrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ContractError } from './contract-error.ts';

/**
 * Content keys: 16 random bytes (AES-128) drawn on the device, wrapped with the
 * deployment's RSA public key using RSA-OAEP with SHA-256 (KMS's RSAES_OAEP_SHA_256),
 * stored at keys/{deviceId}/{keyId}.bin. The private half lives in KMS (cloud) or in a
 * local PEM file (local mode) and never reaches a camera.
 *
 * KMS asymmetric keys take no encryption context, so the wrapped plaintext itself binds
 * the data key to the camera and key id it was made for (a camera can PUT under its own
 * keys/ prefix, so without the binding it could upload another camera's wrapped key there
 * and have the key route unwrap it for a session of its own). Plaintext layouts:
 *
 *   version 2 (bound), 49 bytes:
 *     offset 0   1 byte    0x02
 *     offset 1   16 bytes  the data key
 *     offset 17  32 bytes  SHA-256("camrec-key-binding-v2" 0x00 deviceId 0x00 keyId)
 *   legacy (unbound), 16 bytes: the data key alone. Written by agents before version 2;
 *     the key route accepts it only for objects S3 stored before a cutoff the deployment
 *     sets (see openWrappedKeyPlaintext), because a camera can forge anything but S3's time.
 */
export const DATA_KEY_BYTES = 16;
export const KMS_WRAPPING_ALGORITHM = 'RSAES_OAEP_SHA_256' as const;

export const WrappedKeyFormat = { BOUND_V2: 2, LEGACY_UNBOUND: 1 } as const;
export type WrappedKeyFormat = (typeof WrappedKeyFormat)[keyof typeof WrappedKeyFormat];

const BINDING_DOMAIN = 'camrec-key-binding-v2';
const BINDING_BYTES = 32;
const V2_PLAINTEXT_BYTES = 1 + DATA_KEY_BYTES + BINDING_BYTES;

/** Which camera and key id a wrapped key belongs to (its object key says the same). */
export interface WrappedKeyRef {
  readonly deviceId: string;
  readonly keyId: string;
}

/** A wrapped key whose plaintext is not what its object key promises (another camera's, altered, or unknown format). */
export class KeyBindingError extends ContractError {
  override readonly name: string = 'KeyBindingError';
}

/** SHA-256 over the domain, device id and key id (neither id can hold a 0x00). */
export function keyBinding(ref: WrappedKeyRef): Buffer {
  return createHash('sha256').update(`${BINDING_DOMAIN}\0${ref.deviceId}\0${ref.keyId}`).digest();
}

/** Accepts a PEM (SPKI) or the base64 DER that KMS GetPublicKey returns. */
export function loadWrappingPublicKey(pemOrBase64Der: string): KeyObject {
  try {
    if (pemOrBase64Der.includes('-----BEGIN')) return createPublicKey(pemOrBase64Der);
    return createPublicKey({ key: Buffer.from(pemOrBase64Der, 'base64'), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new ContractError('the content-key public key is not an RSA public key in PEM or base64 DER (SPKI)', { cause });
  }
}

/** Wraps a data key for one camera and key id (format version 2). */
export function wrapDataKey(publicKey: KeyObject, dataKey: Uint8Array, ref: WrappedKeyRef): Buffer {
  if (dataKey.length !== DATA_KEY_BYTES) throw new ContractError(`a data key is ${DATA_KEY_BYTES} bytes, got ${dataKey.length}`);
  const plaintext = Buffer.concat([Buffer.of(WrappedKeyFormat.BOUND_V2), dataKey, keyBinding(ref)]);
  try {
    return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, plaintext);
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Reads an unwrapped plaintext for `ref`: the data key and the format it came in. A
 * version-2 plaintext must carry `ref`'s binding (compared in constant time); a legacy
 * 16-byte plaintext is returned as LEGACY_UNBOUND for the caller to accept or refuse.
 * Anything else throws KeyBindingError.
 */
export function openWrappedKeyPlaintext(plaintext: Uint8Array, ref: WrappedKeyRef): { dataKey: Buffer; format: WrappedKeyFormat } {
  const p = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  if (p.length === DATA_KEY_BYTES) return { dataKey: Buffer.from(p), format: WrappedKeyFormat.LEGACY_UNBOUND };
  if (p.length !== V2_PLAINTEXT_BYTES || p[0] !== WrappedKeyFormat.BOUND_V2) {
    throw new KeyBindingError(`wrapped key ${ref.deviceId}/${ref.keyId} has an unknown format (${p.length} bytes, version ${p[0]})`);
  }
  if (!timingSafeEqual(p.subarray(1 + DATA_KEY_BYTES), keyBinding(ref))) {
    throw new KeyBindingError(`wrapped key ${ref.deviceId}/${ref.keyId} is bound to another camera or key id`);
  }
  return { dataKey: Buffer.from(p.subarray(1, 1 + DATA_KEY_BYTES)), format: WrappedKeyFormat.BOUND_V2 };
}

/** Local-mode RSA-OAEP-SHA256 decryption of a wrapped key: the raw plaintext (what KMS Decrypt returns in the cloud). */
export function decryptWrappedKeyLocally(privateKey: KeyObject | string, wrapped: Uint8Array): Buffer {
  return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped);
}

/** Local unwrap of a version-2 wrapped key for `ref` (tools and tests): the 16-byte data key, binding checked. */
export function unwrapDataKeyLocally(privateKey: KeyObject | string, wrapped: Uint8Array, ref: WrappedKeyRef): Buffer {
  const opened = openWrappedKeyPlaintext(decryptWrappedKeyLocally(privateKey, wrapped), ref);
  if (opened.format !== WrappedKeyFormat.BOUND_V2) throw new KeyBindingError(`wrapped key ${ref.deviceId}/${ref.keyId} is in the legacy unbound format`);
  return opened.dataKey;
}
