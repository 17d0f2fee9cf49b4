import { describe, expect, test } from 'vitest';
import { segmentKey, wrappedKeyKey, eventKey } from '../../../contract/index.ts';
import { DeviceAccess } from '../../../lib/devices/device-access.ts';
import { SegmentStore } from '../../../lib/storage/segment-store.ts';
import { resourcesOf, templateOf } from '../support/cdk-test-app.ts';
import { evaluate, resolveIntrinsics, type AccessRequest, type PolicyDocument } from '../support/iam-policy-evaluator.ts';

// The device role's own policy and the bucket policy, straight from the synthesised
// template, evaluated for a camera whose credentials came through the IoT credential
// provider as thing `camA` (which sets credentials-iot:ThingName).
const BUCKET_ARN = 'arn:aws:s3:::camrec-recordings';
const template = templateOf((stack) => {
  const store = new SegmentStore(stack, 'Store');
  new DeviceAccess(stack, 'Devices', { bucket: store.bucket });
});
const bucketId = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.includes('Recordings'))![0];
const arns = { [bucketId]: BUCKET_ARN };
const [, role] = resourcesOf(template, 'AWS::IAM::Role').find(([, p]) => JSON.stringify(p.AssumeRolePolicyDocument).includes('credentials.iot'))!;
const identity = (role.Policies as Array<{ PolicyDocument: unknown }>).map((p) => resolveIntrinsics(p.PolicyDocument, arns) as PolicyDocument);
const bucketPolicy = resourcesOf(template, 'AWS::S3::BucketPolicy')
  .filter(([, p]) => JSON.stringify(p.Bucket).includes(bucketId))
  .map(([, p]) => resolveIntrinsics(p.PolicyDocument, arns) as PolicyDocument);

const SECURE = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' };
function asThing(thing: string, action: string, key: string, extra: Record<string, string | undefined> = { 's3:if-none-match': '*' }): AccessRequest {
  return { action, resource: `${BUCKET_ARN}/${key}`, context: { 'credentials-iot:ThingName': thing, ...SECURE, ...extra } };
}
const decide = (r: AccessRequest) => evaluate({ identity, resource: bucketPolicy }, r);

const ownSegment = segmentKey({ deviceId: 'camA', startMs: 1_700_000_000_000, seq: 42 });
const ownKey = wrappedKeyKey({ deviceId: 'camA', keyId: '0123456789abcdef0123456789abcdef' });
const ownEvent = eventKey({ deviceId: 'camA', startMs: 1_700_000_000_000, eventId: 'motion-1' });

describe('device role policy, evaluated', () => {
  test('the policy and bucket policy were found in the template', () => {
    expect(identity.length).toBe(1);
    expect(bucketPolicy.length).toBe(1);
  });

  test('thing A may PUT segments, keys and events under its own prefixes (with If-None-Match)', () => {
    for (const key of [ownSegment, ownKey, ownEvent]) expect(decide(asThing('camA', 's3:PutObject', key)), key).toBe('Allow');
  });

  test("thing A may not PUT under thing B's prefixes, nor under a name that merely starts like its own", () => {
    for (const key of [
      segmentKey({ deviceId: 'camB', startMs: 1_700_000_000_000, seq: 1 }),
      wrappedKeyKey({ deviceId: 'camB', keyId: '0123456789abcdef0123456789abcdef' }),
      eventKey({ deviceId: 'camB', startMs: 1_700_000_000_000, eventId: 'e1' }),
      'segments/camAB/2023/11/14/22/1700000000000-1.ts',
    ]) {
      expect(decide(asThing('camA', 's3:PutObject', key)), key).toBe('ImplicitDeny');
    }
  });

  test('thing A may not PUT outside the three folders or at a folder root', () => {
    for (const key of ['camA/x.ts', 'segments/x.ts', 'other/camA/x', 'segments/camA']) {
      expect(decide(asThing('camA', 's3:PutObject', key)), key).toBe('ImplicitDeny');
    }
  });

  test('thing A may not GET, HEAD-by-GET, DELETE or LIST anything, even its own recordings', () => {
    expect(decide(asThing('camA', 's3:GetObject', ownSegment))).toBe('ImplicitDeny');
    expect(decide(asThing('camA', 's3:DeleteObject', ownSegment))).toBe('ImplicitDeny');
    expect(decide(asThing('camA', 's3:DeleteObjectVersion', ownSegment))).toBe('ImplicitDeny');
    expect(decide({ action: 's3:ListBucket', resource: BUCKET_ARN, context: { 'credentials-iot:ThingName': 'camA', ...SECURE } })).toBe('ImplicitDeny');
    expect(decide(asThing('camA', 's3:PutObjectAcl', ownSegment))).toBe('ImplicitDeny');
  });

  test('a PUT without If-None-Match is refused even under its own prefix (write-once)', () => {
    expect(decide(asThing('camA', 's3:PutObject', ownSegment, {}))).toBe('ExplicitDeny');
  });

  test('a PUT over plain HTTP or TLS 1.1 is refused', () => {
    expect(decide(asThing('camA', 's3:PutObject', ownSegment, { 's3:if-none-match': '*', 'aws:SecureTransport': 'false' }))).toBe('ExplicitDeny');
    expect(decide(asThing('camA', 's3:PutObject', ownSegment, { 's3:if-none-match': '*', 's3:TlsVersion': '1.1' }))).toBe('ExplicitDeny');
  });

  test('credentials without a thing name (no x-amzn-iot-thingname) can PUT nowhere', () => {
    expect(decide({ action: 's3:PutObject', resource: `${BUCKET_ARN}/${ownSegment}`, context: { ...SECURE, 's3:if-none-match': '*' } })).toBe('ImplicitDeny');
  });
});
