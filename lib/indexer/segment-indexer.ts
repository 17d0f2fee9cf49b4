import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LambdaEnv, PackDefault, TopFolder } from '../../contract/index.ts';
import { CamrecFunction } from '../functions/camrec-function.ts';
import { HandlerEntry } from '../handler-entries.ts';
import { managedPolicyFinding } from '../nag/acknowledge.ts';
import type { CameraEvents } from '../notifications/camera-events.ts';
import type { SegmentIndex } from '../storage/segment-index.ts';
import { WRITE_ONCE_FOLDERS, type SegmentStore } from '../storage/segment-store.ts';

export interface SegmentIndexerProps {
  readonly store: SegmentStore;
  readonly index: SegmentIndex;
  /**
   * Handler entry file.
   * @default lambda/indexer/handler.ts
   */
  readonly entry?: string;
  /**
   * Retries of a failed asynchronous invocation before the event goes to the dead-letter queue.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * Publish event started/ended and camera online on this bus, and arm the offline watch.
   * @default - no notifications, no offline watch
   */
  readonly cameraEvents?: CameraEvents;
}

/**
 * The indexer: a Lambda on the bucket's ObjectCreated events under segments/, keys/,
 * events/ and heartbeats/ that records each object in the index (registering each
 * camera-hour for the compactor; packs are written under packs/, which sends it nothing;
 * with camera events, it publishes notifications and arms each camera's offline watch). Events that still fail after the
 * retries land in an encrypted SQS dead-letter queue (kept 14 days) for replay.
 */
export class SegmentIndexer extends Construct {
  public readonly function: CamrecFunction;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SegmentIndexerProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the indexer; it has no consumer that could fail into another queue.',
    });

    this.function = new CamrecFunction(this, 'Indexer', {
      entry: props.entry ?? HandlerEntry.INDEXER,
      description: 'camrec indexer: S3 ObjectCreated -> DynamoDB segment index',
      environment: {
        [LambdaEnv.BUCKET_NAME]: props.store.bucket.bucketName,
        [LambdaEnv.TABLE_NAME]: props.index.table.tableName,
        [LambdaEnv.RETENTION_DAYS]: String(props.store.retentionDays),
        ...(props.cameraEvents?.indexerEnvironment ?? {}),
        [LambdaEnv.EVENT_RETENTION_DAYS]: String(props.store.eventRetentionDays),
        [LambdaEnv.PACK_GRACE_SECONDS]: String(PackDefault.GRACE_MS / 1000),
        [LambdaEnv.HOT_INDEX_DAYS]: String(PackDefault.HOT_INDEX_DAYS),
      },
      timeout: Duration.seconds(30),
    });
    const fn = this.function.fn;
    fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      retryAttempts: props.retryAttempts ?? 2,
      maxEventAge: Duration.hours(6),
    });

    props.store.grantObjectRead(
      this.function.role,
      '*',
      'the indexer reads the metadata (HeadObject) of every new segment, key and event object; object names are not known in advance.',
    );
    props.index.grantIndexWrite(this.function.role);
    if (props.cameraEvents) {
      // A new event's start closes the camera's older open events: a Query of its recent events.
      props.index.grantIndexRead(this.function.role);
      props.cameraEvents.grantPublish(this.function.role);
      props.cameraEvents.grantWatch(this.function.role);
    }
    // Init sections (init/) need no index item: the segments that use them name them by init-id.
    for (const folder of WRITE_ONCE_FOLDERS.filter((f) => f !== TopFolder.INIT)) {
      props.store.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fn), { prefix: `${folder}/` });
    }
    // The CDK's own singleton that writes the bucket notification configuration.
    const stack = Stack.of(this);
    for (const child of stack.node.children) {
      if (child.node.id.startsWith('BucketNotificationsHandler')) {
        Validations.of(child).acknowledge({
          id: managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole'),
          reason:
            'CDK-internal deploy-time handler that writes the bucket notification configuration; the managed policy only lets it write its own CloudWatch logs.',
        });
      }
    }
  }
}
