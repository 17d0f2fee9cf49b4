import { describe, expect, test } from 'vitest';
import { KMS_WRAPPING_ALGORITHM } from '../../../contract/index.ts';
import { judge, type Verdict } from '../support/iam-judge.ts';
import { ACCOUNT, SynthesisedPolicies } from '../support/synthesised-policies.ts';

/**
 * The content key's policy in the synthesised CamrecStack, judged by iam-simulate: an
 * in-account role whose own policy allows kms:* (an admin, a CI role, any over-broad
 * role) must still be refused every use of the private half: Decrypt, ReEncryptFrom
 * (which decrypts ciphertext made with the public half outside KMS, as cameras wrap data
 * keys) and CreateGrant. Only the key route's role may Decrypt, and only with the wrapping
 * algorithm.
 */
const t = SynthesisedPolicies.ofCamrecStack();
const keyId = t.id('AWS::KMS::Key', 'ContentKey');
const KEY_ARN = t.arn(keyId);
const keyPolicy = t.keyPolicy(keyId);
const keysRole = t.id('AWS::IAM::Role', 'PlaybackKeysRole');
const apiRole = t.id('AWS::IAM::Role', 'PlaybackApiRole');
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const adminPolicy = [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }];

const ask = (principal: string, identity: { name: string; policy: unknown }[], action: string, context: Record<string, string> = {}) =>
  judge({
    principal,
    action,
    resource: KEY_ARN,
    identity: identity as never,
    resourcePolicy: keyPolicy,
    context: { 'aws:PrincipalArn': principal, ...context },
  });

describe('content key policy (iam-simulate over the synthesised stack)', () => {
  test.each(['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:CreateGrant'])('an in-account role allowed kms:* is refused %s', async (action) => {
    expect(await ask(ADMIN, adminPolicy, action)).toBe<Verdict>('ExplicitlyDenied');
  });

  test('...and the account root too', async () => {
    const root = `arn:aws:iam::${ACCOUNT}:root`;
    expect(await ask(root, [], 'kms:Decrypt')).toBe<Verdict>('ExplicitlyDenied');
    expect(await ask(root, [], 'kms:ReEncryptFrom')).toBe<Verdict>('ExplicitlyDenied');
  });

  test('that admin may still read the public key and manage the key (the policy is not a lock-out)', async () => {
    expect(await ask(ADMIN, adminPolicy, 'kms:GetPublicKey')).toBe<Verdict>('Allowed');
    expect(await ask(ADMIN, adminPolicy, 'kms:PutKeyPolicy')).toBe<Verdict>('Allowed');
  });

  test('the key route may Decrypt with RSAES_OAEP_SHA_256, and nothing else that unwraps', async () => {
    const identity = t.identityPolicies(keysRole);
    expect(await ask(t.arn(keysRole), identity, 'kms:Decrypt', { 'kms:EncryptionAlgorithm': KMS_WRAPPING_ALGORITHM })).toBe<Verdict>('Allowed');
    expect(await ask(t.arn(keysRole), identity, 'kms:Decrypt', { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_1' })).toBe<Verdict>('ImplicitlyDenied');
    expect(await ask(t.arn(keysRole), identity, 'kms:ReEncryptFrom')).not.toBe<Verdict>('Allowed');
    expect(await ask(t.arn(keysRole), identity, 'kms:CreateGrant')).not.toBe<Verdict>('Allowed');
  });

  test('the clip export may Decrypt exactly as the key route may, and nothing else that unwraps', async () => {
    const exportRole = t.id('AWS::IAM::Role', 'ClipsExportRole');
    const identity = t.identityPolicies(exportRole);
    expect(await ask(t.arn(exportRole), identity, 'kms:Decrypt', { 'kms:EncryptionAlgorithm': KMS_WRAPPING_ALGORITHM })).toBe<Verdict>('Allowed');
    expect(await ask(t.arn(exportRole), identity, 'kms:Decrypt', { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_1' })).toBe<Verdict>('ImplicitlyDenied');
    expect(await ask(t.arn(exportRole), identity, 'kms:ReEncryptFrom')).not.toBe<Verdict>('Allowed');
    expect(await ask(t.arn(exportRole), identity, 'kms:CreateGrant')).not.toBe<Verdict>('Allowed');
  });

  test('the key policy names exactly the key route and the clip export as the roles not refused Decrypt', () => {
    const deny = (keyPolicy.Statement as { Sid?: string; Condition?: { ArnNotEquals?: Record<string, unknown> } }[]).find(
      (st) => st.Sid === 'UnwrapOnlyByTheKeyRoute',
    )!;
    const arns = JSON.stringify(deny.Condition!.ArnNotEquals!['aws:PrincipalArn']);
    expect(arns).toContain(keysRole);
    expect(arns).toContain(t.id('AWS::IAM::Role', 'ClipsExportRole'));
    expect(arns).not.toContain(apiRole);
  });

  test('the API function may not Decrypt', async () => {
    expect(await ask(t.arn(apiRole), t.identityPolicies(apiRole), 'kms:Decrypt', { 'kms:EncryptionAlgorithm': KMS_WRAPPING_ALGORITHM })).not.toBe<Verdict>(
      'Allowed',
    );
  });
});
