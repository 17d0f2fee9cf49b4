import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LambdaEnv, NOTIFICATION_SOURCE, NotificationType } from '../../contract/index.ts';
import { CamrecFunction } from '../functions/camrec-function.ts';
import { HandlerEntry } from '../handler-entries.ts';
import { NotificationDefault, NotificationLimit, PropsChecker } from '../settings.ts';
import type { SegmentIndex } from '../storage/segment-index.ts';

export interface CameraEventsProps {
  readonly index: SegmentIndex;
  /**
   * Seconds without a segment, event or heartbeat after which a camera is reported
   * offline (the agent heartbeats every 45 s while idle). At most 900 (the longest SQS delay).
   * @default 90
   */
  readonly offlineAfterSeconds?: number;
  /**
   * Bring your own bus (e.g. one shared by other services); camrec only puts events on it.
   * @default - a new bus
   */
  readonly eventBus?: events.IEventBus;
  /**
   * Handler entry file of the offline checker.
   * @default lambda/liveness/handler.ts
   */
  readonly checkerEntry?: string;
}

/**
 * Where camrec's notifications come from: the EventBridge bus they are published on
 * (source `camrec`; detail types and JSON Schemas in lambda/notify/schemas/), and the
 * offline watch behind "Camera Offline": an SQS queue of delayed watch messages (one per
 * online camera) and the checker function it feeds. Failed checks are retried by SQS and
 * land in an encrypted dead-letter queue after 5 receives.
 */
export class CameraEvents extends Construct {
  public readonly bus: events.IEventBus;
  public readonly watchQueue: sqs.Queue;
  public readonly watchDeadLetterQueue: sqs.Queue;
  public readonly checker: CamrecFunction;
  public readonly offlineAfterSeconds: number;

  constructor(scope: Construct, id: string, props: CameraEventsProps) {
    super(scope, id);
    this.offlineAfterSeconds = props.offlineAfterSeconds ?? NotificationDefault.OFFLINE_AFTER_SECONDS;
    new PropsChecker('CameraEvents')
      .wholeInRange(
        'offlineAfterSeconds',
        this.offlineAfterSeconds,
        NotificationLimit.OFFLINE_AFTER_MIN_SECONDS,
        NotificationLimit.OFFLINE_AFTER_MAX_SECONDS,
        'a watch message waits at most 15 minutes in SQS',
      )
      .throwIfAny();

    this.bus =
      props.eventBus ??
      new events.EventBus(this, 'Bus', { description: 'camrec notifications: camera event started/ended, camera offline/online, clip ready (source camrec)' });

    this.watchDeadLetterQueue = new sqs.Queue(this, 'WatchDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.watchDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the offline-watch queue; nothing consumes it automatically.',
    });
    this.watchQueue = new sqs.Queue(this, 'WatchQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A check takes milliseconds; six times the function timeout, as Lambda's SQS guide says.
      visibilityTimeout: Duration.seconds(60),
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.watchDeadLetterQueue, maxReceiveCount: 5 },
    });

    this.checker = new CamrecFunction(this, 'OfflineChecker', {
      entry: props.checkerEntry ?? HandlerEntry.OFFLINE_CHECKER,
      description: 'camrec offline checker: watch messages (SQS, delayed) -> camera offline notifications',
      environment: {
        [LambdaEnv.TABLE_NAME]: props.index.table.tableName,
        [LambdaEnv.EVENT_BUS_NAME]: this.bus.eventBusName,
        [LambdaEnv.WATCH_QUEUE_URL]: this.watchQueue.queueUrl,
        [LambdaEnv.OFFLINE_AFTER_SECONDS]: String(this.offlineAfterSeconds),
      },
      timeout: Duration.seconds(10),
    });
    this.checker.fn.addEventSource(
      new lambdaEvents.SqsEventSource(this.watchQueue, { batchSize: 10, maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true }),
    );
    props.index.grantLivenessWrite(this.checker.role);
    this.grantWatch(this.checker.role);
    this.grantPublish(this.checker.role);
  }

  /** events:PutEvents on the bus (the indexer and the checker publish). */
  public grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.bus.grantPutEventsTo(grantee);
  }

  /** sqs:SendMessage on the watch queue (the indexer arms watches, the checker re-arms them). */
  public grantWatch(grantee: iam.IGrantable): iam.Grant {
    return this.watchQueue.grantSendMessages(grantee);
  }

  /** Environment the indexer needs to publish and watch. */
  public get indexerEnvironment(): Record<string, string> {
    return {
      [LambdaEnv.EVENT_BUS_NAME]: this.bus.eventBusName,
      [LambdaEnv.WATCH_QUEUE_URL]: this.watchQueue.queueUrl,
      [LambdaEnv.OFFLINE_AFTER_SECONDS]: String(this.offlineAfterSeconds),
    };
  }

  /** An event pattern for camrec notifications of these types (all of them by default), for your own rules. */
  public static pattern(types: readonly NotificationType[] = Object.values(NotificationType)): events.EventPattern {
    return { source: [NOTIFICATION_SOURCE], detailType: [...types] };
  }
}
