import type { KeyObject } from 'node:crypto';
import { unwrapDataKeyLocally } from '../../contract/index.ts';

/** Turns a wrapped data key (RSA-OAEP-SHA256) back into its 16 bytes. */
export interface KeyUnwrapper {
  unwrap(wrapped: Uint8Array): Promise<Uint8Array>;
}

/** Local mode: the private half of the wrapping key pair is a PEM on this machine. */
export function localKeyUnwrapper(privateKey: KeyObject | string): KeyUnwrapper {
  return { unwrap: async (wrapped) => unwrapDataKeyLocally(privateKey, wrapped) };
}
