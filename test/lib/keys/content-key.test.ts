import * as iam from 'aws-cdk-lib/aws-iam';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { KMS_WRAPPING_ALGORITHM } from '../../../contract/index.ts';
import { ContentKey } from '../../../lib/keys/content-key.ts';
import { resourcesOf, templateOf } from '../support/cdk-test-app.ts';

const template = templateOf((stack) => {
  const key = new ContentKey(stack, 'ContentKey');
  key.grantUnwrap(new iam.Role(stack, 'KeyRoute', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
  key.grantPublicKeyRead(new iam.Role(stack, 'Api', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
});
const roleId = (name: string) => resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id.startsWith(name))![0];

describe('ContentKey alone', () => {
  test('is an asymmetric RSA key for encrypt/decrypt, retained', () => {
    template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }), DeletionPolicy: 'Retain' });
  });

  test('the granted role may Decrypt only with RSAES_OAEP_SHA_256', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId('KeyRoute') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'kms:Decrypt', Effect: 'Allow', Condition: { StringEquals: { 'kms:EncryptionAlgorithm': KMS_WRAPPING_ALGORITHM } } }),
        ],
      },
    });
  });

  // What the key policy lets each principal do is judged by iam-simulate over the whole
  // stack in test/lib/judges/content-key.judge.test.ts; here: its shape.
  test('the key policy denies Decrypt, ReEncrypt* and CreateGrant to everyone but the granted role', () => {
    const [, key] = resourcesOf(template, 'AWS::KMS::Key')[0]!;
    const deny = key.KeyPolicy.Statement.find((s: { Effect: string }) => s.Effect === 'Deny');
    expect(deny).toEqual({
      Sid: 'UnwrapOnlyByTheKeyRoute',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:ReEncrypt*'],
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [roleId('KeyRoute'), 'Arn'] }] } },
    });
  });

  test('with no role granted, the deny names a role that cannot exist', () => {
    const t = templateOf((stack) => new ContentKey(stack, 'ContentKey'));
    const [, key] = resourcesOf(t, 'AWS::KMS::Key')[0]!;
    const deny = key.KeyPolicy.Statement.find((s: { Effect: string }) => s.Effect === 'Deny');
    expect(deny.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual(['arn:aws:iam::000000000000:role/camrec-no-unwrap-role-granted']);
  });

  test('grantPublicKeyRead gives GetPublicKey, not Decrypt', () => {
    const [, p] = resourcesOf(template, 'AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Roles).includes(roleId('Api')))!;
    expect(JSON.stringify(p.PolicyDocument)).toContain('kms:GetPublicKey');
    expect(JSON.stringify(p.PolicyDocument)).not.toContain('kms:Decrypt');
  });
});
