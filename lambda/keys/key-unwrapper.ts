import type { KeyObject } from 'node:crypto';
import { decryptWrappedKeyLocally } from '../../contract/index.ts';

/**
 * Decrypts a wrapped data key (RSA-OAEP-SHA256) to its plaintext, which the key route then
 * opens and checks (contract/key-wrapping.ts: format, binding to camera and key id).
 */
export interface KeyUnwrapper {
  unwrap(wrapped: Uint8Array): Promise<Uint8Array>;
}

/** Local mode: the private half of the wrapping key pair is a PEM on this machine. */
export function localKeyUnwrapper(privateKey: KeyObject | string): KeyUnwrapper {
  return { unwrap: async (wrapped) => decryptWrappedKeyLocally(privateKey, wrapped) };
}
