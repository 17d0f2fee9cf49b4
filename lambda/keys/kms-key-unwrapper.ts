import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DATA_KEY_BYTES, KMS_WRAPPING_ALGORITHM } from '../../contract/index.ts';
import type { KeyUnwrapper } from './key-unwrapper.ts';

/** Cloud: KMS Decrypt with the asymmetric RSA key; the private half never leaves KMS. */
export function kmsKeyUnwrapper(client: KMSClient, keyId: string): KeyUnwrapper {
  return {
    async unwrap(wrapped) {
      const out = await client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: wrapped, EncryptionAlgorithm: KMS_WRAPPING_ALGORITHM }));
      if (!out.Plaintext || out.Plaintext.length !== DATA_KEY_BYTES) throw new Error(`KMS returned ${out.Plaintext?.length ?? 0} bytes, expected a ${DATA_KEY_BYTES}-byte data key`);
      return out.Plaintext;
    },
  };
}
