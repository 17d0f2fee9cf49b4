import * as iam from 'aws-cdk-lib/aws-iam';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { KMS_WRAPPING_ALGORITHM } from '../../../contract/index.ts';
import { ContentKey } from '../../../lib/keys/content-key.ts';
import { resourcesOf, templateOf } from '../support/cdk-test-app.ts';
import { evaluate, resolveIntrinsics, type PolicyDocument } from '../support/iam-policy-evaluator.ts';

const KEY_ROUTE_ROLE = 'arn:aws:iam::123456789012:role/key-route';
const OTHER_ROLE = 'arn:aws:iam::123456789012:role/api';

const template = templateOf((stack) => {
  const key = new ContentKey(stack, 'ContentKey');
  key.grantUnwrap(new iam.Role(stack, 'KeyRoute', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
  key.grantPublicKeyRead(new iam.Role(stack, 'Api', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
});
const roleId = (name: string) => resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id.startsWith(name))![0];
const arns = { [roleId('KeyRoute')]: KEY_ROUTE_ROLE, [roleId('Api')]: OTHER_ROLE };

describe('ContentKey alone', () => {
  test('is an asymmetric RSA key for encrypt/decrypt, retained', () => {
    template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }), DeletionPolicy: 'Retain' });
  });

  test('the granted role may Decrypt only with RSAES_OAEP_SHA_256', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId('KeyRoute') }],
      PolicyDocument: {
        Statement: [Match.objectLike({ Action: 'kms:Decrypt', Effect: 'Allow', Condition: { StringEquals: { 'kms:EncryptionAlgorithm': KMS_WRAPPING_ALGORITHM } } })],
      },
    });
  });

  test('the key policy refuses Decrypt to every principal but the granted role, account admins included', () => {
    const [, key] = resourcesOf(template, 'AWS::KMS::Key')[0]!;
    const policy = resolveIntrinsics(key.KeyPolicy, arns) as PolicyDocument;
    const decrypt = (principal: string) => evaluate({ identity: [policy] }, { action: 'kms:Decrypt', resource: '*', context: { 'aws:PrincipalArn': principal } });
    expect(decrypt('arn:aws:iam::123456789012:root')).toBe('ExplicitDeny');
    expect(decrypt(OTHER_ROLE)).toBe('ExplicitDeny');
    expect(decrypt('arn:aws:iam::123456789012:role/Admin')).toBe('ExplicitDeny');
    expect(decrypt(KEY_ROUTE_ROLE)).toBe('Allow'); // the account statement lets IAM policies decide
    const getPublicKey = evaluate({ identity: [policy] }, { action: 'kms:GetPublicKey', resource: '*', context: { 'aws:PrincipalArn': OTHER_ROLE } });
    expect(getPublicKey).toBe('Allow');
  });

  test('with no role granted, nobody may Decrypt', () => {
    const t = templateOf((stack) => new ContentKey(stack, 'ContentKey'));
    const [, key] = resourcesOf(t, 'AWS::KMS::Key')[0]!;
    const policy = resolveIntrinsics(key.KeyPolicy, {}) as PolicyDocument;
    expect(evaluate({ identity: [policy] }, { action: 'kms:Decrypt', resource: '*', context: { 'aws:PrincipalArn': KEY_ROUTE_ROLE } })).toBe('ExplicitDeny');
  });

  test('grantPublicKeyRead gives GetPublicKey, not Decrypt', () => {
    const [, p] = resourcesOf(template, 'AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Roles).includes(roleId('Api')))!;
    expect(JSON.stringify(p.PolicyDocument)).toContain('kms:GetPublicKey');
    expect(JSON.stringify(p.PolicyDocument)).not.toContain('kms:Decrypt');
  });
});
