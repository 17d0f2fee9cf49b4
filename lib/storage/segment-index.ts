import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IndexTable } from '../../contract/index.ts';

export interface SegmentIndexProps {
  /**
   * What happens to the index when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The segment index: one DynamoDB table keyed as contract/index-table.ts says, on-demand,
 * with TTL (items expire with their objects), point-in-time recovery and KMS encryption.
 */
export class SegmentIndex extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: SegmentIndexProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: IndexTable.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: IndexTable.SORT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: IndexTable.TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /** What the indexer does: conditional PutItem/UpdateItem (and GetItem for the device state). */
  public grantIndexWrite(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem');
  }

  /** What the offline checker does: read a camera's state and open events, update them conditionally. */
  public grantLivenessWrite(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
  }

  /** What playback does: Query and GetItem, never Scan. */
  public grantIndexRead(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:Query', 'dynamodb:GetItem');
  }
}
