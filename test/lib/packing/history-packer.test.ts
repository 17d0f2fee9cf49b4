import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, test } from 'vitest';
import { LambdaEnv, OpenHoursIndex, packObjectKey, segmentKey, wrappedKeyKey, eventKey } from '../../../contract/index.ts';
import { HistoryPacker } from '../../../lib/packing/history-packer.ts';
import { defaultPackStorageClass } from '../../../lib/settings.ts';
import { SegmentIndex } from '../../../lib/storage/segment-index.ts';
import { SegmentStore } from '../../../lib/storage/segment-store.ts';
import { InvalidPropsError } from '../../../lib/infra-error.ts';
import { templateOf } from '../support/cdk-test-app.ts';
import { judge, type Verdict } from '../support/iam-judge.ts';
import { SynthesisedPolicies } from '../support/synthesised-policies.ts';

const template = templateOf((stack) => {
  const store = new SegmentStore(stack, 'Store', { retentionDays: 30, eventRetentionDays: 90 });
  new HistoryPacker(stack, 'Packing', { store, index: new SegmentIndex(stack, 'Index') });
});

// iam-simulate (npm) judges the synthesised identity policies, with the bucket policy as the resource policy.
const t = new SynthesisedPolicies(template);
const bucketId = t.id('AWS::S3::Bucket', 'Recordings');
const B = t.arn(bucketId);
const bucketPolicy = t.bucketPolicy(bucketId);
const TABLE = t.arn(t.id('AWS::DynamoDB::Table', 'Index'));
const PACKER_FN = t.arn(t.id('AWS::Lambda::Function', 'PackerFunction'));
const SECURE = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' };

type Ask = [action: string, resource: string];
const obj = (action: string, key: string): Ask => [action, `${B}/${key}`];

const hot = segmentKey({ deviceId: 'camA', startMs: 1_767_261_600_000, seq: 42 });
const pack = packObjectKey('camA', { kind: 'continuous', hourMs: 1_767_261_600_000, packNo: 0, digest: '0123456789abcdef' });
const eventPack = packObjectKey('camA', { kind: 'event', hourMs: 1_767_261_600_000, packNo: 1, digest: 'fedcba9876543210' });
const key = wrappedKeyKey({ deviceId: 'camA', keyId: 'ab'.repeat(16) });
const event = eventKey({ deviceId: 'camA', startMs: 1_767_261_600_000, eventId: 'e1' });

/** The verdict for the role of the function whose logical id has `fn` in it. */
async function verdict(fn: 'Packer' | 'Sweeper', [action, resource]: Ask): Promise<Verdict> {
  const roleId = t.id('AWS::IAM::Role', `${fn}Role`);
  return judge({
    principal: t.arn(roleId),
    action,
    resource,
    identity: t.identityPolicies(roleId),
    ...(action.startsWith('s3:') ? { resourcePolicy: bucketPolicy, context: SECURE } : {}),
  });
}

describe('HistoryPacker: what the compactor may do (iam-simulate over the synthesised policies)', () => {
  test.each<Ask>([
    obj('s3:GetObject', hot),
    obj('s3:DeleteObject', hot),
    obj('s3:PutObject', pack),
    obj('s3:PutObject', eventPack),
    obj('s3:AbortMultipartUpload', pack),
  ])('the packer may %s %s (read and delete hot segments, write packs of both kinds)', async (action, resource) => {
    expect(await verdict('Packer', [action, resource])).toBe<Verdict>('Allowed');
  });

  test.each<Ask>([
    obj('s3:GetObject', pack),
    obj('s3:DeleteObject', pack),
    obj('s3:DeleteObject', eventPack),
    obj('s3:PutObject', hot),
    obj('s3:PutObjectAcl', hot),
    obj('s3:DeleteObjectVersion', hot),
    obj('s3:GetObject', key),
    obj('s3:PutObject', key),
    obj('s3:DeleteObject', key),
    obj('s3:GetObject', event),
    obj('s3:DeleteObject', event),
    obj('s3:PutObject', 'other/camA/x'),
    obj('s3:GetObject', 'segments'),
    ['s3:ListBucket', B],
    ['s3:PutLifecycleConfiguration', B],
    ['s3:PutBucketPolicy', B],
  ])('the packer may not %s %s (no reading or deleting packs, no writing segments, no keys or events)', async (action, resource) => {
    expect(await verdict('Packer', [action, resource])).not.toBe<Verdict>('Allowed');
  });

  test('the packer reads and writes index items but never scans, deletes items (TTL does) or reads the open-hours index', async () => {
    for (const a of ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'])
      expect(await verdict('Packer', [a, TABLE]), a).toBe<Verdict>('Allowed');
    for (const a of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteTable'])
      expect(await verdict('Packer', [a, TABLE]), a).not.toBe<Verdict>('Allowed');
    expect(await verdict('Packer', ['dynamodb:Query', `${TABLE}/index/${OpenHoursIndex.NAME}`])).not.toBe<Verdict>('Allowed');
  });

  test('the sweep Queries the open-hours index, leases hours and invokes the packer; nothing in S3, no Scan', async () => {
    expect(await verdict('Sweeper', ['dynamodb:Query', `${TABLE}/index/${OpenHoursIndex.NAME}`])).toBe<Verdict>('Allowed');
    expect(await verdict('Sweeper', ['dynamodb:UpdateItem', TABLE])).toBe<Verdict>('Allowed');
    expect(await verdict('Sweeper', ['lambda:InvokeFunction', PACKER_FN])).toBe<Verdict>('Allowed');
    for (const ask of [
      ['dynamodb:Scan', TABLE],
      ['dynamodb:Scan', `${TABLE}/index/${OpenHoursIndex.NAME}`],
      ['dynamodb:PutItem', TABLE],
      ['lambda:InvokeFunction', `${PACKER_FN}:1`],
      obj('s3:GetObject', hot),
      obj('s3:DeleteObject', hot),
      obj('s3:PutObject', pack),
    ] as Ask[]) {
      expect(await verdict('Sweeper', ask), ask.join(' ')).not.toBe<Verdict>('Allowed');
    }
  });
});

describe('HistoryPacker: wiring', () => {
  test('the sweep runs every 5 minutes; the packer has 1 GB, 15 minutes and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('camrec packer'), MemorySize: 1024, Timeout: 900 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  test('pack classes follow retention: continuous (30 days) Standard-IA, event packs (90 days) Glacier IR, drained 12 h 5 min after packing', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('camrec packer'),
      Environment: {
        Variables: Match.objectLike({
          [LambdaEnv.PACK_STORAGE_CLASS]: 'STANDARD_IA',
          [LambdaEnv.EVENT_PACK_STORAGE_CLASS]: 'GLACIER_IR',
          [LambdaEnv.RETENTION_DAYS]: '30',
          [LambdaEnv.EVENT_RETENTION_DAYS]: '90',
          [LambdaEnv.PACK_DRAIN_SECONDS]: '43500',
        }),
      },
    });
    expect([7, 16, 17, 30, 31, 90, 365].map((d) => defaultPackStorageClass(d).value)).toEqual([
      'STANDARD',
      'STANDARD',
      'STANDARD_IA',
      'STANDARD_IA',
      'GLACIER_IR',
      'GLACIER_IR',
      'GLACIER_IR',
    ]);
    const t = templateOf((stack) => {
      const store = new SegmentStore(stack, 'Store');
      new HistoryPacker(stack, 'Packing', { store, index: new SegmentIndex(stack, 'Index'), packStorageClass: s3.StorageClass.ONE_ZONE_INFREQUENT_ACCESS });
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [LambdaEnv.PACK_STORAGE_CLASS]: 'ONEZONE_IA' }) } });
  });

  test('singleZonePacks (opt-in) writes continuous packs of a 30-day retention in One Zone-IA; event packs stay multi-AZ', () => {
    const t = templateOf((stack) => {
      const store = new SegmentStore(stack, 'Store', { retentionDays: 30, eventRetentionDays: 30 });
      new HistoryPacker(stack, 'Packing', { store, index: new SegmentIndex(stack, 'Index'), singleZonePacks: true });
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('camrec packer'),
      Environment: { Variables: Match.objectLike({ [LambdaEnv.PACK_STORAGE_CLASS]: 'ONEZONE_IA', [LambdaEnv.EVENT_PACK_STORAGE_CLASS]: 'STANDARD_IA' }) },
    });
    expect([7, 13, 14, 30, 38, 39, 365].map((d) => defaultPackStorageClass(d, { singleZone: true }).value)).toEqual([
      'STANDARD',
      'STANDARD',
      'ONEZONE_IA',
      'ONEZONE_IA',
      'ONEZONE_IA',
      'GLACIER_IR',
      'GLACIER_IR',
    ]);
  });

  test('singleZonePacks with packStorageClass is refused: both choose the class of continuous packs', () => {
    expect(() =>
      templateOf(
        (stack) =>
          new HistoryPacker(stack, 'P', {
            store: new SegmentStore(stack, 'S'),
            index: new SegmentIndex(stack, 'I'),
            singleZonePacks: true,
            packStorageClass: s3.StorageClass.INFREQUENT_ACCESS,
          }),
      ),
    ).toThrow(/singleZonePacks and packStorageClass \(STANDARD_IA\) both choose the class of continuous packs: give one of them/);
  });

  test('the index has the sparse open-hours GSI (keys only)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: OpenHoursIndex.NAME,
          KeySchema: [
            { AttributeName: 'openShard', KeyType: 'HASH' },
            { AttributeName: 'dueMs', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });

  test('bad props are reported with the rule', () => {
    let error: unknown;
    try {
      templateOf(
        (stack) =>
          new HistoryPacker(stack, 'P', { store: new SegmentStore(stack, 'S'), index: new SegmentIndex(stack, 'I'), drainSeconds: -1, sweepMinutes: 0 }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).problems).toEqual([
      'drainSeconds=-1 must be a whole number from 0 to 604800 (hot copies outlive their pack by at most a week)',
      'sweepMinutes=0 must be a whole number from 1 to 60',
    ]);
  });
});
