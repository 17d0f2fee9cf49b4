import { describe, expect, test } from 'vitest';
import { eventKey, segmentKey, wrappedKeyKey } from '../../contract/index.ts';
import { LOCAL_THING_TYPE } from '../../local/iot/iot-credential-provider.ts';
import { deviceMay, S3Action, type S3ActionName } from '../../local/s3-front/device-policy.ts';
import { judge } from '../lib/support/iam-judge.ts';
import { SynthesisedPolicies } from '../lib/support/synthesised-policies.ts';

/**
 * The local S3 front's device policy (a pure function) against what AWS would decide
 * for the same request: the device role's policy and the bucket policy of the whole
 * CamrecStack as lib/ synthesises it (bundling off: only the policies matter), run
 * through an IAM evaluator not written here (@cloud-copilot/iam-simulate, see
 * test/lib/support/iam-judge.ts). One table of (thing, thing type, action, key, headers);
 * both sides must give each case its expected answer, and where they are known to differ
 * the local side must be the stricter one (local mode never allows what AWS refuses).
 */
const policies = SynthesisedPolicies.ofCamrecStack();
const bucketId = policies.id('AWS::S3::Bucket', 'Recordings');
const BUCKET = policies.ref(bucketId);
const roleId = policies.id('AWS::IAM::Role', 'DevicesRole');
const identity = policies.identityPolicies(roleId);
const bucketPolicy = policies.bucketPolicy(bucketId);
/** The stack's thing type as the template names it; local mode's is LOCAL_THING_TYPE. Cases name "ours" or another. */
const STACK_THING_TYPE = policies.ref(policies.id('AWS::IoT::ThingType', 'ThingType'));

type Verdict = 'allow' | 'deny';

interface Case {
  readonly name: string;
  readonly thing: string | undefined;
  /** The thing's type: ours (the camera type) unless a case says otherwise. */
  readonly thingType?: 'ours' | 'other';
  readonly action: S3ActionName;
  /** The IAM action for S3Action.OTHER requests. */
  readonly iamAction?: string;
  readonly key?: string;
  readonly bucket?: string;
  readonly ifNoneMatch?: string;
  /** CopyObject source key (IAM: PutObject on the target and GetObject on the source). */
  readonly copyFrom?: string;
  readonly expected: Verdict;
  /** When AWS decides otherwise: its verdict and why that is harmless. */
  readonly aws?: { readonly verdict: Verdict; readonly why: string };
}

const IAM_ACTION: Record<Exclude<S3ActionName, 'other'>, string> = {
  [S3Action.PUT_OBJECT]: 's3:PutObject',
  [S3Action.GET_OBJECT]: 's3:GetObject',
  [S3Action.LIST_BUCKET]: 's3:ListBucket',
  [S3Action.DELETE_OBJECT]: 's3:DeleteObject',
};

/** S3 itself: PutObject supports only `If-None-Match: *`; any other value is refused (501 NotImplemented). */
const s3AcceptsIfNoneMatch = (v: string | undefined) => v === undefined || v === '*';

async function awsDecides(c: Case): Promise<Verdict> {
  const bucket = c.bucket ?? BUCKET;
  const context: Record<string, string | undefined> = {
    'credentials-iot:ThingName': c.thing,
    'credentials-iot:ThingTypeName': c.thing === undefined ? undefined : c.thingType === 'other' ? 'thermostat' : STACK_THING_TYPE,
    'aws:SecureTransport': 'true',
    's3:TlsVersion': '1.3',
    's3:if-none-match': c.ifNoneMatch,
  };
  const ask = async (action: string, resource: string) =>
    (await judge({ principal: policies.arn(roleId), action, resource, context, identity, resourcePolicy: bucketPolicy })) === 'Allowed';
  const resource = c.action === S3Action.LIST_BUCKET ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${c.key}`;
  const iamAction = c.action === S3Action.OTHER ? c.iamAction! : IAM_ACTION[c.action];
  let allowed = await ask(iamAction, resource);
  if (c.copyFrom !== undefined) allowed &&= await ask('s3:GetObject', `arn:aws:s3:::${bucket}/${c.copyFrom}`);
  if (c.action === S3Action.PUT_OBJECT) allowed &&= s3AcceptsIfNoneMatch(c.ifNoneMatch);
  return allowed ? 'allow' : 'deny';
}

function localDecides(c: Case): Verdict {
  const d = deviceMay(
    { bucket: BUCKET, thingTypeName: LOCAL_THING_TYPE },
    {
      thingName: c.thing,
      thingTypeName: c.thing === undefined ? undefined : c.thingType === 'other' ? 'thermostat' : LOCAL_THING_TYPE,
      action: c.action,
      bucket: c.bucket ?? BUCKET,
      key: c.key,
      ifNoneMatch: c.ifNoneMatch,
      isCopy: c.copyFrom !== undefined,
    },
  );
  return d.allowed ? 'allow' : 'deny';
}

const A = 'camA';
const T = 1_767_323_045_000;
const segA = segmentKey({ deviceId: A, startMs: T, seq: 7 });
const segB = segmentKey({ deviceId: 'camB', startMs: T, seq: 7 });
const put = (name: string, thing: string | undefined, key: string, expected: Verdict, more: Partial<Case> = {}): Case => ({
  name,
  thing,
  action: S3Action.PUT_OBJECT,
  key,
  ifNoneMatch: '*',
  expected,
  ...more,
});

const CASES: readonly Case[] = [
  put('own segment', A, segA, 'allow'),
  put('own wrapped key', A, wrappedKeyKey({ deviceId: A, keyId: '0123456789abcdef0123456789abcdef' }), 'allow'),
  put('own event record', A, eventKey({ deviceId: A, startMs: T, eventId: 'motion-1' }), 'allow'),
  put('thing name with : _ - (valid IoT names)', 'cam:1_x-y', segmentKey({ deviceId: 'cam:1_x-y', startMs: T, seq: 1 }), 'allow'),
  put("camB's segment", A, segB, 'deny'),
  put("camB's key", A, wrappedKeyKey({ deviceId: 'camB', keyId: '0123456789abcdef0123456789abcdef' }), 'deny'),
  put("camB's event", A, eventKey({ deviceId: 'camB', startMs: T, eventId: 'e' }), 'deny'),
  put('camA writing under camAB (prefix that starts like its own)', A, segmentKey({ deviceId: 'camAB', startMs: T, seq: 1 }), 'deny'),
  put('camAB writing under camA (its name starts like camA)', 'camAB', segA, 'deny'),
  put('thing name differing only in case', 'cama', segA, 'deny'),
  put('credentials without a thing name', undefined, segA, 'deny'),
  put('a thing of another type, own prefix', A, segA, 'deny', { thingType: 'other' }),
  put('own segment without If-None-Match', A, segA, 'deny', { ifNoneMatch: undefined }),
  put('own segment with If-None-Match: an ETag', A, segA, 'deny', { ifNoneMatch: '"abc"' }),
  put('bucket root', A, `${A}/x.ts`, 'deny'),
  put('segments folder root', A, 'segments/x.ts', 'deny'),
  put('own folder name without the slash', A, `segments/${A}`, 'deny'),
  put('another top folder', A, `uploads/${A}/x.ts`, 'deny'),
  put('top folder in other case', A, `Segments/${A}/x.ts`, 'deny'),
  put('another bucket', A, segA, 'deny', { bucket: 'someone-elses-bucket' }),
  put('own folder marker (key ends at the prefix)', A, `segments/${A}/`, 'deny', {
    aws: { verdict: 'allow', why: 'segments/camA/* matches an empty rest; an empty object named like a folder in its own prefix, indexed as nothing' },
  }),
  put('dot segments from own prefix into camB', A, `segments/${A}/../camB/x.ts`, 'deny', {
    aws: { verdict: 'allow', why: 'S3 keys are literal: the object lands at the literal key under camA/, not in camB, and the indexer refuses the name' },
  }),
  put("backslashes from camB's prefix into own (literal key under camB/)", A, 'segments/camB/x\\..\\..\\camA/y.ts', 'deny'),
  put('backslashes inside own prefix', A, `segments/${A}/x\\y.ts`, 'deny', {
    aws: { verdict: 'allow', why: 'a literal key under camA/ that no camrec name has; the indexer refuses it' },
  }),
  put('COPY from camB into own prefix', A, segmentKey({ deviceId: A, startMs: T + 1, seq: 8 }), 'deny', { copyFrom: segB }),
  put('COPY from own segment into own prefix', A, segmentKey({ deviceId: A, startMs: T + 1, seq: 8 }), 'deny', { copyFrom: segA }),
  { name: 'GET own segment', thing: A, action: S3Action.GET_OBJECT, key: segA, expected: 'deny' },
  { name: "GET camB's segment", thing: A, action: S3Action.GET_OBJECT, key: segB, expected: 'deny' },
  { name: 'DELETE own segment', thing: A, action: S3Action.DELETE_OBJECT, key: segA, expected: 'deny' },
  { name: 'LIST the bucket', thing: A, action: S3Action.LIST_BUCKET, expected: 'deny' },
  { name: 'PUT an ACL on own segment', thing: A, action: S3Action.OTHER, iamAction: 's3:PutObjectAcl', key: segA, ifNoneMatch: '*', expected: 'deny' },
  {
    name: 'start a multipart upload (authorised as PutObject, no If-None-Match)',
    thing: A,
    action: S3Action.OTHER,
    iamAction: 's3:PutObject',
    key: segA,
    expected: 'deny',
  },
];

describe('local device policy vs synthesised IAM (role policy + bucket policy)', () => {
  test('the device role policy and the recordings bucket policy were found', () => {
    expect(identity.length).toBeGreaterThan(0);
    expect(JSON.stringify(bucketPolicy)).toContain('s3:if-none-match');
  });

  test.each(CASES)('$name: local answers $expected', (c) => {
    expect(localDecides(c)).toBe(c.expected);
  });

  test.each(CASES)('$name: IAM answers as documented', async (c) => {
    expect(await awsDecides(c)).toBe(c.aws?.verdict ?? c.expected);
  });

  test('local mode never allows what AWS refuses, and differs only in the documented cases', async () => {
    const aws = await Promise.all(CASES.map((c) => awsDecides(c)));
    const differing = CASES.filter((c, i) => localDecides(c) !== aws[i]);
    expect(differing.filter((c) => localDecides(c) === 'allow').map((c) => c.name)).toEqual([]);
    expect(differing.map((c) => c.name)).toEqual(CASES.filter((c) => c.aws).map((c) => c.name));
  });
});
