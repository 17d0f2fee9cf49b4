import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { kmsKeyUnwrapper } from '../../../lambda/keys/kms-key-unwrapper.ts';

describe('KMS key unwrapper', () => {
  it('asks KMS to decrypt with RSAES_OAEP_SHA_256 and the content key, and returns the plaintext for the route to check', async () => {
    const kms = mockClient(KMSClient);
    kms
      .on(DecryptCommand)
      .resolvesOnce({ Plaintext: new Uint8Array(49).fill(7) })
      .resolvesOnce({ Plaintext: new Uint8Array(0) });
    const unwrapper = kmsKeyUnwrapper(new KMSClient({ region: 'eu-west-1' }), 'arn:aws:kms:eu-west-1:1:key/k');
    expect(await unwrapper.unwrap(new Uint8Array(256))).toEqual(new Uint8Array(49).fill(7));
    expect(kms.commandCalls(DecryptCommand)[0]!.args[0].input).toMatchObject({
      KeyId: 'arn:aws:kms:eu-west-1:1:key/k',
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    await expect(unwrapper.unwrap(new Uint8Array(256))).rejects.toThrow(/not a wrapped-key plaintext/);
    kms.restore();
  });
});
