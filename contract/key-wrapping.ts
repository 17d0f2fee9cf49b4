import { constants, createPublicKey, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { ContractError } from './contract-error.ts';

/**
 * Content keys: 16 random bytes (AES-128) drawn on the device, wrapped with the
 * deployment's RSA public key using RSA-OAEP with SHA-256 (KMS's RSAES_OAEP_SHA_256),
 * stored at keys/{deviceId}/{keyId}.bin. The private half lives in KMS (cloud) or in a
 * local PEM file (local mode) and never reaches a camera.
 */
export const DATA_KEY_BYTES = 16;
export const KMS_WRAPPING_ALGORITHM = 'RSAES_OAEP_SHA_256' as const;

/** Accepts a PEM (SPKI) or the base64 DER that KMS GetPublicKey returns. */
export function loadWrappingPublicKey(pemOrBase64Der: string): KeyObject {
  try {
    if (pemOrBase64Der.includes('-----BEGIN')) return createPublicKey(pemOrBase64Der);
    return createPublicKey({ key: Buffer.from(pemOrBase64Der, 'base64'), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new ContractError('the content-key public key is not an RSA public key in PEM or base64 DER (SPKI)', { cause });
  }
}

export function wrapDataKey(publicKey: KeyObject, dataKey: Uint8Array): Buffer {
  if (dataKey.length !== DATA_KEY_BYTES) throw new ContractError(`a data key is ${DATA_KEY_BYTES} bytes, got ${dataKey.length}`);
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dataKey);
}

/** Local-mode unwrap; the cloud calls KMS Decrypt with KMS_WRAPPING_ALGORITHM instead. */
export function unwrapDataKeyLocally(privateKey: KeyObject | string, wrapped: Uint8Array): Buffer {
  const key = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped);
  if (key.length !== DATA_KEY_BYTES) throw new ContractError(`unwrapped data key is ${key.length} bytes, expected ${DATA_KEY_BYTES}`);
  return key;
}
