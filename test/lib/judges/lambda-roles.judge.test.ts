import { describe, expect, test } from 'vitest';
import { judge, type Verdict } from '../support/iam-judge.ts';
import { SynthesisedPolicies } from '../support/synthesised-policies.ts';

/**
 * What each Lambda role of the synthesised CamrecStack can reach, judged by
 * iam-simulate with the bucket policy and key policy as resource policies. One table per
 * role: what it needs is allowed; everything a bug or an injected request could abuse is not.
 */
const t = SynthesisedPolicies.ofCamrecStack();
const bucketId = t.id('AWS::S3::Bucket', 'Recordings');
const B = t.arn(bucketId);
const bucketPolicy = t.bucketPolicy(bucketId);
const keyId = t.id('AWS::KMS::Key', 'ContentKey');
const CLIP_KEY = t.arn(t.id('AWS::KMS::Key', 'ClipKey'));
const TABLE = t.arn(t.id('AWS::DynamoDB::Table', 'IndexTable'));
const SECRET = t.ref(t.id('AWS::SecretsManager::Secret', 'TokenSecret'));
const SECURE = { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3' };

type Row = [action: string, resource: string, allowed: boolean];
const seg = `${B}/segments/camA/2026/01/02/03/1767323045000-1.ts`;
const key = `${B}/keys/camA/0123456789abcdef0123456789abcdef.bin`;
const init = `${B}/init/camA/00112233445566778899aabbccddeeff.mp4`;
const evt = `${B}/events/camA/1767323045000-e1.json`;
const beat = `${B}/heartbeats/camA/1767323045000.json`;
const img = `${B}/images/camA/2026/01/02/03/1767323045000-0123abcd.jpg`;
const evtImg = `${B}/event-images/camA/2026/01/02/03/1767323045000-0123abcd.jpg`;
const BUS = t.arn(t.id('AWS::Events::EventBus', 'Notifications'));
const WATCH = t.arn(t.id('AWS::SQS::Queue', 'WatchQueue'));
const OTHER_BUS = `arn:aws:events:eu-west-1:123456789012:event-bus/default`;
const pack = `${B}/packs/continuous/camA/2026/01/02/03/1767322800000-0-0123456789abcdef.ts`;
const OPEN_HOURS = `${TABLE}/index/open-hours`;
const PACKER = t.arn(t.id('AWS::Lambda::Function', 'PackerFunction'));
const CLIP_EXPORT = t.arn(t.id('AWS::Lambda::Function', 'ClipsExportFunction'));
const clip = `${B}/clips/camA/1767323045000-0a1b2c3d/clip.mp4`;

const ROLES: Record<string, Row[]> = {
  IndexerRole: [
    ['s3:GetObject', seg, true],
    ['s3:GetObject', key, true],
    ['s3:GetObject', evt, true],
    ['s3:GetObject', beat, true],
    ['s3:GetObject', img, true],
    ['s3:GetObject', evtImg, true],
    ['s3:PutObject', seg, false],
    ['s3:PutObject', img, false],
    ['s3:DeleteObject', seg, false],
    ['s3:ListBucket', B, false],
    ['dynamodb:PutItem', TABLE, true],
    ['dynamodb:UpdateItem', TABLE, true],
    ['dynamodb:Query', TABLE, true],
    ['dynamodb:DeleteItem', TABLE, false],
    ['dynamodb:Scan', TABLE, false],
    ['events:PutEvents', BUS, true],
    ['events:PutEvents', OTHER_BUS, false],
    ['sqs:SendMessage', WATCH, true],
    ['sqs:DeleteMessage', WATCH, false],
    ['kms:Decrypt', t.arn(keyId), false],
    ['secretsmanager:GetSecretValue', SECRET, false],
  ],
  OfflineCheckerRole: [
    ['dynamodb:GetItem', TABLE, true],
    ['dynamodb:UpdateItem', TABLE, true],
    ['dynamodb:Query', TABLE, true],
    ['dynamodb:PutItem', TABLE, false],
    ['dynamodb:DeleteItem', TABLE, false],
    ['dynamodb:Scan', TABLE, false],
    ['events:PutEvents', BUS, true],
    ['events:PutEvents', OTHER_BUS, false],
    ['sqs:SendMessage', WATCH, true],
    ['sqs:ReceiveMessage', WATCH, true],
    ['s3:GetObject', seg, false],
    ['s3:GetObject', key, false],
    ['kms:Decrypt', t.arn(keyId), false],
    ['secretsmanager:GetSecretValue', SECRET, false],
  ],
  PackingPackerRole: [
    ['s3:GetObject', seg, true],
    ['s3:DeleteObject', seg, true],
    ['s3:PutObject', pack, true],
    ['s3:GetObject', pack, false],
    // Init sections are never packed and never deleted by the packer: packed fMP4 segments still name them.
    ['s3:GetObject', init, false],
    ['s3:DeleteObject', init, false],
    ['s3:PutObject', init, false],
    ['s3:DeleteObject', pack, false],
    ['s3:PutObject', seg, false],
    ['s3:GetObject', key, false],
    ['s3:GetObject', img, false],
    ['s3:DeleteObject', img, false],
    ['s3:ListBucket', B, false],
    ['dynamodb:Query', TABLE, true],
    ['dynamodb:PutItem', TABLE, true],
    ['dynamodb:UpdateItem', TABLE, true],
    ['dynamodb:DeleteItem', TABLE, false],
    ['dynamodb:Scan', TABLE, false],
    ['kms:Decrypt', t.arn(keyId), false],
  ],
  PackingSweeperRole: [
    ['dynamodb:Query', OPEN_HOURS, true],
    ['dynamodb:UpdateItem', TABLE, true],
    ['dynamodb:Scan', TABLE, false],
    ['dynamodb:Scan', OPEN_HOURS, false],
    ['lambda:InvokeFunction', PACKER, true],
    ['s3:GetObject', seg, false],
    ['s3:DeleteObject', seg, false],
  ],
  PlaybackApiRole: [
    ['s3:GetObject', seg, true],
    ['s3:GetObject', init, true],
    ['s3:PutObject', init, false],
    ['s3:DeleteObject', init, false],
    ['s3:GetObject', pack, true],
    ['s3:GetObject', key, false],
    ['s3:GetObject', evt, false],
    // Pictures are ciphertext; only the keys function, which decrypts them, reads them.
    ['s3:GetObject', img, false],
    ['s3:GetObject', evtImg, false],
    ['s3:PutObject', seg, false],
    ['s3:DeleteObject', seg, false],
    ['s3:ListBucket', B, false],
    ['dynamodb:Query', TABLE, true],
    ['dynamodb:PutItem', TABLE, false],
    ['dynamodb:DeleteItem', TABLE, false],
    ['secretsmanager:GetSecretValue', SECRET, true],
    ['secretsmanager:PutSecretValue', SECRET, false],
    ['kms:Decrypt', t.arn(keyId), false],
    // Clip routes: the clips/ prefix only, and start the export function only.
    ['s3:PutObject', clip, true],
    ['s3:GetObject', clip, true],
    ['s3:DeleteObject', clip, true],
    ['s3:DeleteObject', pack, false],
    ['lambda:InvokeFunction', CLIP_EXPORT, true],
    ['lambda:InvokeFunction', PACKER, false],
    ['kms:GenerateDataKey', CLIP_KEY, true],
    ['kms:Decrypt', CLIP_KEY, true],
  ],
  ClipsExportRole: [
    ['s3:GetObject', seg, true],
    ['s3:GetObject', pack, true],
    ['s3:GetObject', key, true],
    ['s3:GetObject', init, true],
    ['s3:PutObject', init, false],
    ['s3:GetObject', evt, false],
    ['s3:PutObject', clip, true],
    ['s3:AbortMultipartUpload', clip, true],
    ['s3:GetObject', clip, false],
    ['s3:DeleteObject', clip, false],
    ['s3:PutObject', seg, false],
    ['s3:PutObject', pack, false],
    ['s3:DeleteObject', seg, false],
    ['s3:ListBucket', B, false],
    ['dynamodb:Query', TABLE, true],
    ['dynamodb:PutItem', TABLE, false],
    ['dynamodb:DeleteItem', TABLE, false],
    ['kms:Decrypt', t.arn(keyId), true],
    ['kms:ReEncryptFrom', t.arn(keyId), false],
    ['kms:CreateGrant', t.arn(keyId), false],
    ['kms:GenerateDataKey', CLIP_KEY, true],
    ['events:PutEvents', BUS, true],
    ['events:PutEvents', OTHER_BUS, false],
    ['secretsmanager:GetSecretValue', SECRET, false],
    ['lambda:InvokeFunction', CLIP_EXPORT, false],
  ],
  PlaybackKeysRole: [
    ['s3:GetObject', key, true],
    ['s3:GetObject', init, false],
    ['s3:GetObject', img, true],
    ['s3:GetObject', evtImg, true],
    ['s3:GetObject', seg, false],
    ['s3:GetObject', evt, false],
    ['s3:PutObject', key, false],
    ['s3:PutObject', img, false],
    ['s3:DeleteObject', key, false],
    ['s3:DeleteObject', img, false],
    ['dynamodb:Query', TABLE, true],
    ['dynamodb:GetItem', TABLE, true],
    ['dynamodb:PutItem', TABLE, false],
    ['secretsmanager:GetSecretValue', SECRET, true],
    ['secretsmanager:PutSecretValue', SECRET, false],
  ],
};

describe("each Lambda role's reach (iam-simulate over the synthesised stack)", () => {
  test('every camrec Lambda role is in the table (a new function gets a row set)', () => {
    const camrecRoles = t.lambdaRoleIds().filter((id) => id.startsWith('Cameras'));
    expect(camrecRoles.map((id) => Object.keys(ROLES).find((name) => id.includes(name)) ?? id).sort()).toEqual(Object.keys(ROLES).sort());
  });

  for (const [name, rows] of Object.entries(ROLES)) {
    test.each(rows)(`${name}: %s on %s -> allowed %s`, async (action, resource, allowed) => {
      const roleId = t.id('AWS::IAM::Role', name);
      const kmsKey = action.startsWith('kms:') ? t.ids('AWS::KMS::Key').find((id) => resource === t.arn(id))! : undefined;
      const resourcePolicy = action.startsWith('s3:') ? bucketPolicy : kmsKey ? t.keyPolicy(kmsKey) : undefined;
      const context = action.startsWith('s3:')
        ? SECURE
        : action.startsWith('kms:')
          ? { 'aws:PrincipalArn': t.arn(roleId), 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_256' }
          : {};
      const verdict = await judge({ principal: t.arn(roleId), action, resource, identity: t.identityPolicies(roleId), resourcePolicy, context });
      expect(verdict === 'Allowed').toBe(allowed);
    });
  }

  test('the API may list clips/ and nothing else in the bucket', async () => {
    const roleId = t.id('AWS::IAM::Role', 'PlaybackApiRole');
    const list = (prefix: string) =>
      judge({
        principal: t.arn(roleId),
        action: 's3:ListBucket',
        resource: B,
        identity: t.identityPolicies(roleId),
        resourcePolicy: bucketPolicy,
        context: { ...SECURE, 's3:prefix': prefix },
      });
    expect(await list('clips/camA/')).toBe<Verdict>('Allowed');
    expect(await list('segments/camA/')).not.toBe<Verdict>('Allowed');
    expect(await list('')).not.toBe<Verdict>('Allowed');
  });

  test('the CDK bucket-notifications helper may only configure notifications', async () => {
    const roleId = t.lambdaRoleIds().find((id) => id.startsWith('BucketNotificationsHandler'))!;
    const identity = t.identityPolicies(roleId);
    expect(
      await judge({ principal: t.arn(roleId), action: 's3:PutBucketNotification', resource: B, identity, resourcePolicy: bucketPolicy, context: SECURE }),
    ).toBe<Verdict>('Allowed');
    for (const [action, resource] of [
      ['s3:GetObject', seg],
      ['s3:PutObject', seg],
      ['s3:PutBucketPolicy', B],
    ] as const) {
      expect(await judge({ principal: t.arn(roleId), action, resource, identity, resourcePolicy: bucketPolicy, context: SECURE }), action).not.toBe<Verdict>(
        'Allowed',
      );
    }
  });
});
