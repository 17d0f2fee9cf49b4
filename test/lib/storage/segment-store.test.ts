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

  test('refuses a segment, init section, key, event or heartbeat PUT without If-None-Match (write-once)', () => {
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
            Resource: Match.arrayEquals([
              objects('event-images'),
              objects('events'),
              objects('heartbeats'),
              objects('images'),
              objects('init'),
              objects('keys'),
              objects('segments'),
            ]),
            Condition: { Null: { 's3:if-none-match': 'true' } },
          },
        ]),
      },
    });
  });

  test('expires every prefix by lifecycle rule (30 days by default; heartbeats after a day), aborts stale uploads, and has no archive transition', () => {
    const [, props] = recordings();
    const rules = (
      props.LifecycleConfiguration.Rules as {
        Id: string;
        Prefix?: string;
        ExpirationInDays?: number;
        Transitions?: unknown;
        AbortIncompleteMultipartUpload?: unknown;
      }[]
    ).map((r) => [r.Id, r.Prefix ?? '', r.ExpirationInDays ?? r.AbortIncompleteMultipartUpload]);
    expect(rules).toEqual([
      ['expire-hot-segments', 'segments/', 30],
      ['expire-packs', 'packs/continuous/', 30],
      ['expire-event-packs', 'packs/event/', 30],
      ['expire-events', 'events/', 30],
      ['expire-keys', 'keys/', 31],
      ['expire-heartbeats', 'heartbeats/', 1],
      ['expire-images', 'images/', 30],
      ['expire-event-images', 'event-images/', 30],
      ['abort-incomplete-uploads', '', { DaysAfterInitiation: 1 }],
    ]);
    expect(props.LifecycleConfiguration.Rules.every((r: { Transitions?: unknown }) => r.Transitions === undefined)).toBe(true);
  });

  test('never expires an init section: one serves a camera configuration for as long as the camera keeps it, so no expiry rule covers init/', () => {
    const [, props] = recordings();
    const expiring = (props.LifecycleConfiguration.Rules as { Prefix?: string; ExpirationInDays?: number }[]).filter((r) => r.ExpirationInDays !== undefined);
    expect(expiring.length).toBeGreaterThan(0);
    expect(expiring.filter((r) => 'init/x/y.mp4'.startsWith(r.Prefix ?? ''))).toEqual([]);
  });

  test('event footage can be kept longer: event packs, event records, event pictures and keys follow eventRetentionDays; pictures follow retentionDays', () => {
    const t = templateOf((stack) => new SegmentStore(stack, 'Store', { retentionDays: 14, eventRetentionDays: 90 }));
    const [, props] = resourcesOf(t, 'AWS::S3::Bucket').find(([id]) => id.includes('Recordings'))!;
    const days = Object.fromEntries((props.LifecycleConfiguration.Rules as { Id: string; ExpirationInDays?: number }[]).map((r) => [r.Id, r.ExpirationInDays]));
    expect(days).toMatchObject({
      'expire-hot-segments': 14,
      'expire-packs': 14,
      'expire-event-packs': 90,
      'expire-events': 90,
      'expire-keys': 91,
      'expire-images': 14,
      'expire-event-images': 90,
    });
    expect(() => templateOf((stack) => new SegmentStore(stack, 'Store', { retentionDays: 30, eventRetentionDays: 7 }))).toThrow(
      /eventRetentionDays=7 must be at least retentionDays=30/,
    );
  });

  test('writes server access logs into the access-log bucket', () => {
    const logBucketId = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.includes('AccessLogs'))![0];
    expect(recordings()[1].LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: 'recordings/' });
  });

  test('allows browsers to GET segments and pack ranges (players follow a redirect to a presigned URL)', () => {
    expect(recordings()[1].CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'], ExposedHeaders: ['Content-Range', 'Content-Length', 'ETag'] }),
    ]);
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
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'packs/continuous/', ExpirationInDays: 365, Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }] }),
          Match.objectLike({ Prefix: 'heartbeats/', ExpirationInDays: 1 }),
        ]),
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
        (stack) => new SegmentStore(stack, 'Store', { retentionDays: 20, archiveStorageClass: s3.StorageClass.INFREQUENT_ACCESS, archiveAfterDays: 25 }),
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
