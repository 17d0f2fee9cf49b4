import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { KMS_WRAPPING_ALGORITHM } from '../../contract/index.ts';
import type { KeyUnwrapper } from './key-unwrapper.ts';

/** The longest plaintext RSA-OAEP-SHA256 can carry with a 4096-bit key. */
const MAX_PLAINTEXT_BYTES = 446;

/** Cloud: KMS Decrypt with the asymmetric RSA key; the private half never leaves KMS. */
export function kmsKeyUnwrapper(client: KMSClient, keyId: string): KeyUnwrapper {
  return {
    async unwrap(wrapped) {
      const out = await client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: wrapped, EncryptionAlgorithm: KMS_WRAPPING_ALGORITHM }));
      if (!out.Plaintext || out.Plaintext.length === 0 || out.Plaintext.length > MAX_PLAINTEXT_BYTES)
        throw new Error(`KMS returned ${out.Plaintext?.length ?? 0} bytes, not a wrapped-key plaintext`);
      return out.Plaintext;
    },
  };
}
