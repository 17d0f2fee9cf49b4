import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LambdaEnv, PackDefault } from '../../contract/index.ts';
import { CamrecFunction } from '../functions/camrec-function.ts';
import { HandlerEntry } from '../handler-entries.ts';
import { PipelineDefault, PropsChecker, defaultPackStorageClass } from '../settings.ts';
import type { SegmentIndex } from '../storage/segment-index.ts';
import type { SegmentStore } from '../storage/segment-store.ts';

export interface HistoryPackerProps {
  readonly store: SegmentStore;
  readonly index: SegmentIndex;
  /**
   * Storage class of continuous packs.
   * @default defaultPackStorageClass(retentionDays): the cheapest for the retention in `npm run cost`
   */
  readonly packStorageClass?: s3.StorageClass;
  /**
   * Opt in to S3 One Zone-IA for continuous packs where it is the cheapest class (see
   * RecordingPipelineProps.singleZonePacks). Not with `packStorageClass`.
   * @default false
   */
  readonly singleZonePacks?: boolean;
  /**
   * Storage class of event packs.
   * @default defaultPackStorageClass(eventRetentionDays)
   */
  readonly eventPackStorageClass?: s3.StorageClass;
  /**
   * Seconds hot copies outlive their pack. Keep it at least the longest session (12 h):
   * a playlist lists a pack only for sessions that began after it existed, so every hot
   * URI a session holds stays valid until the session expires.
   * @default 43,500 (12 h 5 min)
   */
  readonly drainSeconds?: number;
  /**
   * Minutes between sweeps for pack hours with work due.
   * @default 5
   */
  readonly sweepMinutes?: number;
  /** @default lambda/packer/handler.ts */
  readonly packerEntry?: string;
  /** @default lambda/sweeper/handler.ts */
  readonly sweeperEntry?: string;
}

/** The packer may run this long: a 10 Gbit hour is ~4.5 GB through one function at a few hundred MB/s. */
const PACKER_TIMEOUT = Duration.minutes(15);

/**
 * Packed history: a sweep (every few minutes, EventBridge schedule) Queries the index's
 * open-hours index for camera-hours with work due, leases each and invokes the packer
 * asynchronously for it; the packer concatenates the hour's hot segments into one pack in
 * a colder class, verifies it, indexes it and, a drain later, deletes the hot copies.
 * Failed invocations land in a dead-letter queue; the hour stays due and a later sweep
 * retries it. The packer's role may read and delete hot segments and write packs, nothing
 * more; the sweep's may Query the open-hours index, lease hours and invoke the packer.
 */
export class HistoryPacker extends Construct {
  public readonly packer: CamrecFunction;
  public readonly sweeper: CamrecFunction;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly schedule: events.Rule;
  public readonly packStorageClass: s3.StorageClass;
  public readonly eventPackStorageClass: s3.StorageClass;
  public readonly drainSeconds: number;

  constructor(scope: Construct, id: string, props: HistoryPackerProps) {
    super(scope, id);
    const { store, index } = props;
    this.drainSeconds = props.drainSeconds ?? PackDefault.DRAIN_MS / 1000;
    const sweepMinutes = props.sweepMinutes ?? PipelineDefault.PACK_SWEEP_MINUTES;
    new PropsChecker('HistoryPacker')
      .wholeInRange('drainSeconds', this.drainSeconds, 0, 7 * 86_400, 'hot copies outlive their pack by at most a week')
      .wholeInRange('sweepMinutes', sweepMinutes, 1, 60)
      .require(
        !(props.singleZonePacks && props.packStorageClass),
        `singleZonePacks and packStorageClass (${props.packStorageClass?.value}) both choose the class of continuous packs: give one of them`,
      )
      .throwIfAny();
    this.packStorageClass = props.packStorageClass ?? defaultPackStorageClass(store.retentionDays, { singleZone: props.singleZonePacks ?? false });
    this.eventPackStorageClass = props.eventPackStorageClass ?? defaultPackStorageClass(store.eventRetentionDays);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the packer; a failed hour also stays due in the index, so a later sweep retries it anyway.',
    });

    this.packer = new CamrecFunction(this, 'Packer', {
      entry: props.packerEntry ?? HandlerEntry.PACKER,
      description: 'camrec packer: one camera-hour of hot segments -> one verified pack in a colder class',
      environment: {
        [LambdaEnv.BUCKET_NAME]: store.bucket.bucketName,
        [LambdaEnv.TABLE_NAME]: index.table.tableName,
        [LambdaEnv.RETENTION_DAYS]: String(store.retentionDays),
        [LambdaEnv.EVENT_RETENTION_DAYS]: String(store.eventRetentionDays),
        [LambdaEnv.PACK_STORAGE_CLASS]: this.packStorageClass.value,
        [LambdaEnv.EVENT_PACK_STORAGE_CLASS]: this.eventPackStorageClass.value,
        [LambdaEnv.PACK_DRAIN_SECONDS]: String(this.drainSeconds),
      },
      memorySize: PipelineDefault.PACKER_MEMORY_MB,
      timeout: PACKER_TIMEOUT,
    });
    this.packer.fn.configureAsyncInvoke({ onFailure: new destinations.SqsDestination(this.deadLetterQueue), retryAttempts: 2, maxEventAge: Duration.hours(6) });
    store.grantHotSegmentCompaction(this.packer.role);
    store.grantPackWrite(this.packer.role);
    index.grantHistoryWrite(this.packer.role);

    this.sweeper = new CamrecFunction(this, 'Sweeper', {
      entry: props.sweeperEntry ?? HandlerEntry.SWEEPER,
      description: 'camrec sweep: due pack hours (open-hours index, no Scan) -> packer runs',
      environment: {
        [LambdaEnv.TABLE_NAME]: index.table.tableName,
        [LambdaEnv.PACKER_FUNCTION_NAME]: this.packer.fn.functionName,
      },
      timeout: Duration.minutes(2),
    });
    index.grantOpenHours(this.sweeper.role);
    // The function itself, not `:*` (versions and aliases): the sweep invokes $LATEST.
    iam.Grant.addToPrincipal({ grantee: this.sweeper.role, actions: ['lambda:InvokeFunction'], resourceArns: [this.packer.fn.functionArn] });
    this.schedule = new events.Rule(this, 'Sweep', {
      description: 'camrec: look for pack hours with work due',
      schedule: events.Schedule.rate(Duration.minutes(sweepMinutes)),
      targets: [new targets.LambdaFunction(this.sweeper.fn, { retryAttempts: 2 })],
    });
  }
}
