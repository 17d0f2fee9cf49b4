import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IndexTable, OpenHoursIndex } from '../../contract/index.ts';

export interface SegmentIndexProps {
  /**
   * What happens to the index when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The segment index: one DynamoDB table keyed as contract/index-table.ts says, on-demand,
 * with TTL (items expire with their objects), point-in-time recovery and KMS encryption,
 * and the sparse open-hours index through which the compactor finds pack hours with work
 * due (KEYS_ONLY: a due hour is its device and hour).
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
    this.table.addGlobalSecondaryIndex({
      indexName: OpenHoursIndex.NAME,
      partitionKey: { name: OpenHoursIndex.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: OpenHoursIndex.SORT_KEY, type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
  }

  /** What the packer does: read an hour's items (GetItem, Query), write pack items and settle the hour (PutItem, UpdateItem). */
  public grantHistoryWrite(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnTable(grantee, 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
  }

  /** `actions` on the table only (Table.grant would add every index too; only the sweep needs the open-hours index). */
  private grantOnTable(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.table.tableArn] });
  }

  /** What the sweep does: Query the open-hours index for due hours and lease them (UpdateItem). Never Scan. */
  public grantOpenHours(grantee: iam.IGrantable): iam.Grant {
    iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [`${this.table.tableArn}/index/${OpenHoursIndex.NAME}`] });
    return iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:UpdateItem'], resourceArns: [this.table.tableArn] });
  }

  /** What the indexer does: conditional PutItem/UpdateItem (and GetItem for the device state). */
  public grantIndexWrite(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnTable(grantee, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem');
  }

  /** What the offline checker does: read a camera's state and open events, update them conditionally. */
  public grantLivenessWrite(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnTable(grantee, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
  }

  /** What playback does: Query and GetItem, never Scan. */
  public grantIndexRead(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnTable(grantee, 'dynamodb:Query', 'dynamodb:GetItem');
  }
}
