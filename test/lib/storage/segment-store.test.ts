import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, test } from 'vitest';
import { SegmentStore } from '../../../lib/storage/segment-store.ts';
import { InvalidPropsError } from '../../../lib/infra-error.ts';
import { resourcesOf, templateOf } from '../support/cdk-test-app.ts';

const template = templateOf((stack) => new SegmentStore(stack, 'Store'));
const recordings = () => resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.includes('Recordings'))!;

describe('SegmentStore alone', () => {
  test('blocks all public access on both buckets', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.allResourcesProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  test('encrypts at rest (SSE-S3) on both buckets', () => {
    template.allResourcesProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
  });

  test('refuses non-TLS and TLS < 1.2 requests by bucket policy', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test('refuses a segment, key, event or heartbeat PUT without If-None-Match (write-once)', () => {
    const [bucketId] = recordings();
    const objects = (folder: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${folder}/*`]] });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'DenyPutWithoutIfNoneMatch',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:PutObject',
            Resource: Match.arrayEquals([objects('events'), objects('heartbeats'), objects('keys'), objects('segments')]),
            Condition: { Null: { 's3:if-none-match': 'true' } },
          },
        ]),
      },
    });
  });

  test('expires recordings after 30 days by default, with no archive transition, and heartbeats after a day', () => {
    const [, props] = recordings();
    expect(props.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 30, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      { Id: 'expire-heartbeats', Prefix: 'heartbeats/', Status: 'Enabled', ExpirationInDays: 1 },
    ]);
    expect(props.LifecycleConfiguration.Rules[0].Transitions).toBeUndefined();
  });

  test('writes server access logs into the access-log bucket', () => {
    const logBucketId = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.includes('AccessLogs'))![0];
    expect(recordings()[1].LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: 'recordings/' });
  });

  test('allows browsers to GET segments (players follow a redirect to a presigned URL)', () => {
    expect(recordings()[1].CorsConfiguration.CorsRules).toEqual([expect.objectContaining({ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'] })]);
  });

  test('retains both buckets by default', () => {
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('retention, archive class and age, origins and removal policy are props', () => {
    const t = templateOf(
      (stack) =>
        new SegmentStore(stack, 'Store', {
          retentionDays: 365,
          archiveStorageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
          archiveAfterDays: 90,
          corsOrigins: ['https://app.example.com'],
          removalPolicy: RemovalPolicy.DESTROY,
        }),
    );
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 365, Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }] }), Match.objectLike({ Prefix: 'heartbeats/', ExpirationInDays: 1 })],
      },
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: ['https://app.example.com'] })] },
    });
    t.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });

  test('bad props are all reported at once, with the fix', () => {
    let error: unknown;
    try {
      templateOf(
        (stack) =>
          new SegmentStore(stack, 'Store', { retentionDays: 20, archiveStorageClass: s3.StorageClass.INFREQUENT_ACCESS, archiveAfterDays: 25 }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).problems).toEqual([
      'archiveAfterDays=25 must be below retentionDays=20, or objects expire before they move; lower it or drop archiveStorageClass',
      'archiveAfterDays=25 must be at least 30 for STANDARD_IA (an S3 rule)',
    ]);
    expect(() => templateOf((stack) => new SegmentStore(stack, 'Store', { retentionDays: 0 }))).toThrow(/retentionDays=0 must be a whole number from 1/);
  });
});
