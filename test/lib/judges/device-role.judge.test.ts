import { describe, expect, test } from 'vitest';
import { eventEndKey, eventKey, heartbeatKey, imageKey, segmentKey, wrappedKeyKey } from '../../../contract/index.ts';
import { judge, type Verdict } from '../support/iam-judge.ts';
import { SynthesisedPolicies } from '../support/synthesised-policies.ts';

/**
 * The device role and the recordings bucket policy of the whole synthesised CamrecStack,
 * judged by @cloud-copilot/iam-simulate (see ../support/iam-judge.ts), for a camera whose
 * credentials came from the IoT credential provider as thing camA of the stack's thing
 * type (credentials-iot:ThingName / ThingTypeName set, as AWS documents for a request
 * with x-amzn-iot-thingname).
 */
const t = SynthesisedPolicies.ofCamrecStack();
const roleId = t.id('AWS::IAM::Role', 'DevicesRole');
const bucketId = t.id('AWS::S3::Bucket', 'Recordings');
const BUCKET_ARN = t.arn(bucketId);
const THING_TYPE = t.ref(t.id('AWS::IoT::ThingType', 'DevicesThingType'));
const identity = t.identityPolicies(roleId);
const bucketPolicy = t.bucketPolicy(bucketId);
const T = 1_767_323_045_000;

const asCamera = (action: string, key: string | undefined, context: Record<string, string | undefined> = {}) =>
  judge({
    principal: t.arn(roleId),
    action,
    resource: key === undefined ? BUCKET_ARN : `${BUCKET_ARN}/${key}`,
    identity,
    resourcePolicy: bucketPolicy,
    context: {
      'credentials-iot:ThingName': 'camA',
      'credentials-iot:ThingTypeName': THING_TYPE,
      'aws:SecureTransport': 'true',
      's3:TlsVersion': '1.3',
      ...(action === 's3:PutObject' ? { 's3:if-none-match': '*' } : {}),
      ...context,
    },
  });

const own = {
  segment: segmentKey({ deviceId: 'camA', startMs: T, seq: 42 }),
  key: wrappedKeyKey({ deviceId: 'camA', keyId: '0123456789abcdef0123456789abcdef' }),
  event: eventKey({ deviceId: 'camA', startMs: T, eventId: 'motion-1' }),
  eventEnd: eventEndKey({ deviceId: 'camA', startMs: T, eventId: 'motion-1' }),
  heartbeat: heartbeatKey({ deviceId: 'camA', atMs: T }),
  image: imageKey({ deviceId: 'camA', tsMs: T, imageId: '0123abcd', event: false }),
  eventImage: imageKey({ deviceId: 'camA', tsMs: T, imageId: '0123abcd', event: true }),
};

describe('device role + bucket policy (iam-simulate over the synthesised stack)', () => {
  test('the policies were found: one inline policy on the role, the bucket policy with its write-once deny', () => {
    expect(identity.map((p) => p.name)).toEqual(['put-own-prefixes']);
    expect(JSON.stringify(bucketPolicy)).toContain('s3:if-none-match');
  });

  test.each(Object.entries(own))('camA may PUT its own %s with If-None-Match: *', async (_, key) => {
    expect(await asCamera('s3:PutObject', key)).toBe<Verdict>('Allowed');
  });

  test.each(Object.entries(own))('camA may not PUT its own %s without If-None-Match (the bucket policy denies it)', async (_, key) => {
    expect(await asCamera('s3:PutObject', key, { 's3:if-none-match': undefined })).toBe<Verdict>('ExplicitlyDenied');
  });

  test.each([
    ["camB's segment", segmentKey({ deviceId: 'camB', startMs: T, seq: 1 })],
    ["camB's key", wrappedKeyKey({ deviceId: 'camB', keyId: '0123456789abcdef0123456789abcdef' })],
    ["camB's event", eventKey({ deviceId: 'camB', startMs: T, eventId: 'e1' })],
    ["camB's heartbeat", heartbeatKey({ deviceId: 'camB', atMs: T })],
    ["camB's picture", imageKey({ deviceId: 'camB', tsMs: T, imageId: 'x1', event: false })],
    ["camB's event picture", imageKey({ deviceId: 'camB', tsMs: T, imageId: 'x1', event: true })],
    ['a picture folder root', 'images/x.jpg'],
    ['a prefix that merely starts like its own', segmentKey({ deviceId: 'camAB', startMs: T, seq: 1 })],
    ['the bucket root', 'camA/x.ts'],
    ['a folder root', 'segments/x.ts'],
    ['another top folder', 'packed/camA/x.ts'],
  ])('camA may not PUT %s', async (_, key) => {
    expect(await asCamera('s3:PutObject', key)).not.toBe<Verdict>('Allowed');
  });

  test.each([
    ['GetObject of its own segment', 's3:GetObject', own.segment],
    ['GetObject of its own picture', 's3:GetObject', own.image],
    ['DeleteObject of its own picture', 's3:DeleteObject', own.image],
    ['DeleteObject of its own segment', 's3:DeleteObject', own.segment],
    ['DeleteObjectVersion of its own segment', 's3:DeleteObjectVersion', own.segment],
    ['PutObjectAcl on its own segment', 's3:PutObjectAcl', own.segment],
    ['GetObjectAcl on its own segment', 's3:GetObjectAcl', own.segment],
    ['ListBucket', 's3:ListBucket', undefined],
    ['PutBucketPolicy', 's3:PutBucketPolicy', undefined],
  ])('camA may not %s', async (_, action, key) => {
    expect(await asCamera(action, key)).not.toBe<Verdict>('Allowed');
  });

  test('a thing of another type gets nothing, even under its own prefix', async () => {
    expect(await asCamera('s3:PutObject', own.segment, { 'credentials-iot:ThingTypeName': 'thermostat' })).toBe<Verdict>('ImplicitlyDenied');
  });

  test('credentials without a thing name (no x-amzn-iot-thingname: credentials-iot:* unset) can PUT nowhere', async () => {
    const verdict = await judge({
      principal: t.arn(roleId),
      action: 's3:PutObject',
      resource: `${BUCKET_ARN}/${own.segment}`,
      identity,
      resourcePolicy: bucketPolicy,
      context: { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3', 's3:if-none-match': '*' },
    });
    expect(verdict).toBe<Verdict>('ImplicitlyDenied');
  });

  test('plain HTTP and TLS 1.1 are refused by the bucket policy', async () => {
    expect(await asCamera('s3:PutObject', own.segment, { 'aws:SecureTransport': 'false' })).toBe<Verdict>('ExplicitlyDenied');
    expect(await asCamera('s3:PutObject', own.segment, { 's3:TlsVersion': '1.1' })).toBe<Verdict>('ExplicitlyDenied');
  });
});

describe('device role trust policy (confused deputy)', () => {
  const trust = t.trustPolicy(roleId);
  const assume = (principal: string, context: Record<string, string>) =>
    judge({ principal, action: 'sts:AssumeRole', resource: t.arn(roleId), identity: [], resourcePolicy: trust, context });
  const own = { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': 'arn:aws:iot:eu-west-1:123456789012:rolealias/CamerasDevicesRoleAlias' };

  test("this account's IoT credential provider may assume the role", async () => {
    expect(await assume('credentials.iot.amazonaws.com', own)).toBe<Verdict>('Allowed');
  });

  test('the credential provider acting for another account (or without a source) may not', async () => {
    expect(
      await assume('credentials.iot.amazonaws.com', { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': 'arn:aws:iot:eu-west-1:999999999999:rolealias/x' }),
    ).toBe<Verdict>('ImplicitlyDenied');
    expect(await assume('credentials.iot.amazonaws.com', { ...own, 'aws:SourceArn': 'arn:aws:iot:eu-west-1:999999999999:rolealias/x' })).toBe<Verdict>(
      'ImplicitlyDenied',
    );
    expect(await assume('credentials.iot.amazonaws.com', {})).toBe<Verdict>('ImplicitlyDenied');
  });

  test('no other service may assume it', async () => {
    expect(await assume('lambda.amazonaws.com', own)).toBe<Verdict>('ImplicitlyDenied');
    expect(await assume('iot.amazonaws.com', own)).toBe<Verdict>('ImplicitlyDenied');
  });
});
