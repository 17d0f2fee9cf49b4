import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { LambdaEnv } from '../../../contract/index.ts';
import { SegmentIndexer } from '../../../lib/indexer/segment-indexer.ts';
import { SegmentIndex } from '../../../lib/storage/segment-index.ts';
import { SegmentStore } from '../../../lib/storage/segment-store.ts';
import { resourcesOf, templateOf } from '../support/cdk-test-app.ts';

const template = templateOf((stack) => {
  const store = new SegmentStore(stack, 'Store', { retentionDays: 14 });
  const index = new SegmentIndex(stack, 'Index');
  new SegmentIndexer(stack, 'Indexer', { store, index });
});
const fnId = resourcesOf(template, 'AWS::Lambda::Function').find(([, p]) => p.Handler === 'index.handler' && p.Description?.includes('indexer'))![0];

describe('SegmentIndexer alone', () => {
  test('is a Node 24 arm64 function with the bucket, table and retention in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          [LambdaEnv.BUCKET_NAME]: { Ref: Match.stringLikeRegexp('^StoreRecordings') },
          [LambdaEnv.TABLE_NAME]: { Ref: Match.stringLikeRegexp('^IndexTable') },
          [LambdaEnv.RETENTION_DAYS]: '14',
        }),
      },
    });
  });

  test('runs on ObjectCreated under segments/, keys/, events/, heartbeats/, images/ and event-images/', () => {
    const [, notifications] = resourcesOf(template, 'Custom::S3BucketNotifications')[0]!;
    const configs = notifications.NotificationConfiguration.LambdaFunctionConfigurations;
    expect(configs.map((c: any) => c.Filter.Key.FilterRules[0].Value).sort()).toEqual([
      'event-images/',
      'events/',
      'heartbeats/',
      'images/',
      'keys/',
      'segments/',
    ]);
    for (const c of configs) {
      expect(c.Events).toEqual(['s3:ObjectCreated:*']);
      expect(c.LambdaFunctionArn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    }
  });

  test('sends events that still fail after 2 retries to an encrypted, TLS-only dead-letter queue', () => {
    const queueId = resourcesOf(template, 'AWS::SQS::Queue')[0]![0];
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('may read objects (HeadObject) and write index items, and nothing else of the data', () => {
    const role = resourcesOf(template, 'AWS::IAM::Policy').find(([id]) => id.startsWith('IndexerRoleDefaultPolicy'))![1];
    const actions = role.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions.sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
  });
});
