import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, test } from 'vitest';
import { IndexTable } from '../../../contract/index.ts';
import { SegmentIndex } from '../../../lib/storage/segment-index.ts';
import { templateOf } from '../support/cdk-test-app.ts';

describe('SegmentIndex alone', () => {
  const template = templateOf((stack) => new SegmentIndex(stack, 'Index'));

  test('keys the table as the contract says', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: IndexTable.PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: IndexTable.SORT_KEY, KeyType: 'RANGE' },
      ],
    });
  });

  test('is on-demand, with TTL, point-in-time recovery and KMS encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: IndexTable.TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // SSEEnabled without SSEType: KMS with the AWS managed key (aws/dynamodb).
      SSESpecification: Match.exact({ SSEEnabled: true }),
    });
  });

  test('is retained by default and destroyable on request', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    templateOf((stack) => new SegmentIndex(stack, 'Index', { removalPolicy: RemovalPolicy.DESTROY })).hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
    });
  });
});
