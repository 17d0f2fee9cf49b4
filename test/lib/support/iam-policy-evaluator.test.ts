import { describe, expect, test } from 'vitest';
import { evaluate, resolveIntrinsics, substituteVariables, type PolicyDocument } from './iam-policy-evaluator.ts';

// Cases from the IAM User Guide: "Policy evaluation logic", "IAM JSON policy elements:
// Action / Resource / Condition", "Policy variables", "Condition operators".
const doc = (...Statement: PolicyDocument['Statement'][]): PolicyDocument => ({ Version: '2012-10-17', Statement: Statement.flat() });
const req = (action: string, resource: string, context: Record<string, string | undefined> = {}) => ({ action, resource, context });

describe('iam-policy-evaluator (documented IAM behaviour)', () => {
  test('no statement applies: implicit deny', () => {
    expect(evaluate({ identity: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })] }, req('s3:PutObject', 'arn:aws:s3:::b/k'))).toBe('ImplicitDeny');
  });

  test('an explicit deny overrides any allow', () => {
    const d = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' });
    expect(evaluate({ identity: [d] }, req('s3:PutObject', 'arn:aws:s3:::b/k'))).toBe('ExplicitDeny');
    expect(evaluate({ identity: [d] }, req('s3:GetObject', 'arn:aws:s3:::b/k'))).toBe('Allow');
  });

  test('actions match case-insensitively with wildcards; resources case-sensitively', () => {
    const d = doc({ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/Photos/*' });
    expect(evaluate({ identity: [d] }, req('S3:getobject', 'arn:aws:s3:::b/Photos/x'))).toBe('Allow');
    expect(evaluate({ identity: [d] }, req('s3:GetObject', 'arn:aws:s3:::b/photos/x'))).toBe('ImplicitDeny');
  });

  test('? matches exactly one character', () => {
    const d = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/log?.txt' });
    expect(evaluate({ identity: [d] }, req('s3:GetObject', 'arn:aws:s3:::b/log1.txt'))).toBe('Allow');
    expect(evaluate({ identity: [d] }, req('s3:GetObject', 'arn:aws:s3:::b/log12.txt'))).toBe('ImplicitDeny');
  });

  test('NotAction applies to every action but the listed ones', () => {
    const d = doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' });
    expect(evaluate({ identity: [d] }, req('s3:ListBucket', 'arn:aws:s3:::b'))).toBe('Allow');
    expect(evaluate({ identity: [d] }, req('iam:CreateUser', '*'))).toBe('ImplicitDeny');
  });

  test('policy variables are replaced by the request value; a missing value means no match', () => {
    const d = doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/home/${aws:username}/*' });
    expect(evaluate({ identity: [d] }, req('s3:PutObject', 'arn:aws:s3:::b/home/ana/f', { 'aws:username': 'ana' }))).toBe('Allow');
    expect(evaluate({ identity: [d] }, req('s3:PutObject', 'arn:aws:s3:::b/home/bo/f', { 'aws:username': 'ana' }))).toBe('ImplicitDeny');
    expect(evaluate({ identity: [d] }, req('s3:PutObject', 'arn:aws:s3:::b/home/ana/f'))).toBe('ImplicitDeny');
    expect(substituteVariables('a/${*}/b', {})).toBe('a/\\*/b');
  });

  test('a variable value containing * is matched literally, not as a wildcard', () => {
    const d = doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/${aws:username}/*' });
    expect(evaluate({ identity: [d] }, req('s3:PutObject', 'arn:aws:s3:::b/ana/f', { 'aws:username': '*' }))).toBe('ImplicitDeny');
  });

  test('conditions: keys AND, values OR; Null tests presence; negated operators hold when the key is missing', () => {
    const allow = doc({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-west-2'] }, Bool: { 'aws:SecureTransport': 'true' } },
    });
    expect(evaluate({ identity: [allow] }, req('s3:GetObject', 'x', { 'aws:RequestedRegion': 'eu-west-2', 'aws:SecureTransport': 'true' }))).toBe('Allow');
    expect(evaluate({ identity: [allow] }, req('s3:GetObject', 'x', { 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'true' }))).toBe('ImplicitDeny');
    expect(evaluate({ identity: [allow] }, req('s3:GetObject', 'x', { 'aws:RequestedRegion': 'eu-west-2' }))).toBe('ImplicitDeny');
    const nullDeny = doc({ Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Condition: { Null: { 's3:if-none-match': 'true' } } });
    const all = doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' });
    expect(evaluate({ identity: [all, nullDeny] }, req('s3:PutObject', 'x'))).toBe('ExplicitDeny');
    expect(evaluate({ identity: [all, nullDeny] }, req('s3:PutObject', 'x', { 's3:if-none-match': '*' }))).toBe('Allow');
    const notEq = doc({ Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::1:role/a'] } } });
    expect(evaluate({ identity: [notEq] }, req('kms:Decrypt', 'k'))).toBe('ExplicitDeny');
    expect(evaluate({ identity: [notEq] }, req('kms:Decrypt', 'k', { 'aws:PrincipalArn': 'arn:aws:iam::1:role/a' }))).toBe('ImplicitDeny');
  });

  test('resource-policy statements count for a principal they name (here: everyone)', () => {
    const bucketDeny = doc({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const allow = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    expect(evaluate({ identity: [allow], resource: [bucketDeny] }, req('s3:GetObject', 'x', { 'aws:SecureTransport': 'false' }))).toBe('ExplicitDeny');
    expect(evaluate({ identity: [allow], resource: [bucketDeny] }, req('s3:GetObject', 'x', { 'aws:SecureTransport': 'true' }))).toBe('Allow');
  });

  test('resolves Fn::Join, Fn::GetAtt and Ref from a synthesised template', () => {
    const v = { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/', { Ref: 'AWS::AccountId' }]] };
    expect(resolveIntrinsics(v, { Bucket: 'arn:aws:s3:::b' })).toBe('arn:aws:s3:::b/123456789012');
  });
});
