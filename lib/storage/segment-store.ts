import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CLIPS_FOLDER, DEVICE_FOLDERS, PackKind, TopFolder, packPrefix } from '../../contract/index.ts';
import { acknowledgeObjectWildcards } from '../nag/acknowledge.ts';
import { PipelineDefault, PipelineLimit, PropsChecker } from '../settings.ts';

export interface SegmentStoreProps {
  /**
   * Days to keep continuous footage: hot segments (normally packed within hours) and
   * continuous packs; S3 lifecycle rules expire them, no code deletes them.
   * @default 30
   */
  readonly retentionDays?: number;
  /**
   * Days to keep footage an event record covers (event packs), the event records, and the
   * wrapped keys (one day longer). At least `retentionDays`.
   * @default retentionDays
   */
  readonly eventRetentionDays?: number;
  /**
   * Move packs to this cheaper storage class after `archiveAfterDays` (packs are written in
   * their class already; see RecordingPipelineProps.packStorageClass).
   * @default - no transition
   */
  readonly archiveStorageClass?: s3.StorageClass;
  /**
   * Days after which packs move to `archiveStorageClass` (must be below `retentionDays`).
   * @default 30
   */
  readonly archiveAfterDays?: number;
  /**
   * Browser origins allowed to fetch segments (players follow a 302 to a presigned GET).
   * @default ['*']
   */
  readonly corsOrigins?: readonly string[];
  /**
   * What happens to the recordings when the stack is deleted. DESTROY also empties the
   * buckets first.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Every top folder a device writes (the contract's one list); all write-once. */
export const WRITE_ONCE_FOLDERS = DEVICE_FOLDERS;

/** Heartbeats only say "alive" at the time: kept one day. */
export const HEARTBEAT_EXPIRY_DAYS = 1;

/** Days an access log is kept. */
const ACCESS_LOG_RETENTION_DAYS = 90;

/** Every object prefix with its lifecycle: who writes it, and how long it is kept. */
export const LifecycleRuleId = {
  HOT_SEGMENTS: 'expire-hot-segments',
  PACKS: 'expire-packs',
  EVENT_PACKS: 'expire-event-packs',
  EVENTS: 'expire-events',
  KEYS: 'expire-keys',
  HEARTBEATS: 'expire-heartbeats',
  IMAGES: 'expire-images',
  EVENT_IMAGES: 'expire-event-images',
  ABORT_UPLOADS: 'abort-incomplete-uploads',
} as const;

/**
 * The recordings bucket: all public access blocked, TLS only, SSE-S3 at rest, write-once
 * for every device folder (a PUT without `If-None-Match` is refused by bucket
 * policy), lifecycle rules by prefix (hot segments, continuous packs and pictures after
 * `retentionDays`, event packs, event pictures and event records after `eventRetentionDays`, wrapped keys
 * a day after the longer, heartbeats after a day; fMP4 init sections never: one object
 * serves a camera configuration for as long as the camera keeps it, a kilobyte or two
 * each), an optional archive transition for packs, and server access logs into a second bucket. Exported clips (clips/) have no expiration rule either:
 * they are kept until deleted through the API.
 */
export class SegmentStore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogBucket: s3.Bucket;
  public readonly retentionDays: number;
  public readonly eventRetentionDays: number;

  constructor(scope: Construct, id: string, props: SegmentStoreProps = {}) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? PipelineDefault.RETENTION_DAYS;
    const eventRetentionDays = props.eventRetentionDays ?? retentionDays;
    const archiveAfterDays = props.archiveAfterDays ?? PipelineDefault.ARCHIVE_AFTER_DAYS;
    validateSegmentStoreProps(props, retentionDays, archiveAfterDays, eventRetentionDays);
    this.retentionDays = retentionDays;
    this.eventRetentionDays = eventRetentionDays;
    const historyDays = Math.max(retentionDays, eventRetentionDays);
    const archive = (expireDays: number): s3.Transition[] | undefined =>
      props.archiveStorageClass && archiveAfterDays < expireDays
        ? [{ storageClass: props.archiveStorageClass, transitionAfter: Duration.days(archiveAfterDays) }]
        : undefined;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Server access log delivery only supports SSE-S3 on the target bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS) }],
      removalPolicy,
      autoDeleteObjects: destroy,
    });

    this.bucket = new s3.Bucket(this, 'Recordings', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'recordings/',
      // Deleting is lifecycle's job: no code lists or scans the bucket to expire anything.
      lifecycleRules: [
        // Hot segments are normally packed and deleted within hours; one never packed expires with its footage.
        { id: LifecycleRuleId.HOT_SEGMENTS, prefix: `${TopFolder.SEGMENTS}/`, expiration: Duration.days(retentionDays) },
        { id: LifecycleRuleId.PACKS, prefix: packPrefix(PackKind.CONTINUOUS), expiration: Duration.days(retentionDays), transitions: archive(retentionDays) },
        {
          id: LifecycleRuleId.EVENT_PACKS,
          prefix: packPrefix(PackKind.EVENT),
          expiration: Duration.days(eventRetentionDays),
          transitions: archive(eventRetentionDays),
        },
        { id: LifecycleRuleId.EVENTS, prefix: `${TopFolder.EVENTS}/`, expiration: Duration.days(historyDays) },
        // A key decrypts segments recorded up to a rotation period after it was written.
        { id: LifecycleRuleId.KEYS, prefix: `${TopFolder.KEYS}/`, expiration: Duration.days(historyDays + 1) },
        // init/ has no rule: an init section (1-2 KB, one per camera configuration) is named by every
        // segment and pack of that configuration, for months; expiring it by age would break them.
        { id: LifecycleRuleId.HEARTBEATS, prefix: `${TopFolder.HEARTBEATS}/`, expiration: Duration.days(HEARTBEAT_EXPIRY_DAYS) },
        // Pictures go with the footage they show: continuous ones with continuous footage, those taken in an event with event footage.
        { id: LifecycleRuleId.IMAGES, prefix: `${TopFolder.IMAGES}/`, expiration: Duration.days(retentionDays) },
        { id: LifecycleRuleId.EVENT_IMAGES, prefix: `${TopFolder.EVENT_IMAGES}/`, expiration: Duration.days(eventRetentionDays) },
        { id: LifecycleRuleId.ABORT_UPLOADS, abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      cors: [
        {
          allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedOrigins: [...(props.corsOrigins ?? PipelineDefault.CORS_ORIGINS)],
          allowedHeaders: ['*'],
          // Players read packed history with Range: fetch-based loaders read Content-Range.
          exposedHeaders: ['Content-Range', 'Content-Length', 'ETag'],
          maxAge: 3600,
        },
      ],
      removalPolicy,
      autoDeleteObjects: destroy,
    });

    // Write-once: S3 honours `If-None-Match: *` on PUT; this makes it mandatory, so no
    // principal (a device, a leaked credential, a bug) can overwrite a recording.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyPutWithoutIfNoneMatch',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: WRITE_ONCE_FOLDERS.map((f) => this.bucket.arnForObjects(`${f}/*`)),
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
  }

  /**
   * The compactor's access to hot segments: read (GetObject, also UploadPartCopy's source)
   * and delete them, and nothing else under segments/.
   */
  public grantHotSegmentCompaction(grantee: iam.IGrantable): iam.Grant {
    const pattern = `${TopFolder.SEGMENTS}/*`;
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject', 's3:DeleteObject'], resourceArns: [this.bucket.arnForObjects(pattern)] });
    if (grantee.grantPrincipal instanceof iam.Role) {
      acknowledgeObjectWildcards(
        grantee.grantPrincipal,
        this.bucket,
        [pattern],
        'The compactor reads and deletes the hot segment objects of any camera-hour it packs (and only after the pack is verified and indexed); object names are not known in advance.',
      );
    }
    return grant;
  }

  /**
   * The compactor's access to packs: write them (PutObject, the multipart upload calls it
   * covers, AbortMultipartUpload) and nothing else: not read, not delete.
   */
  public grantPackWrite(grantee: iam.IGrantable): iam.Grant {
    const patterns = [packPrefix(PackKind.CONTINUOUS), packPrefix(PackKind.EVENT)].map((p) => `${p}*`);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resourceArns: patterns.map((p) => this.bucket.arnForObjects(p)),
    });
    if (grantee.grantPrincipal instanceof iam.Role) {
      acknowledgeObjectWildcards(
        grantee.grantPrincipal,
        this.bucket,
        patterns,
        'The compactor writes one pack object per camera-hour under packs/; it cannot read or delete them (lifecycle rules expire packs).',
      );
    }
    return grant;
  }

  /**
   * The clip export's writes: PutObject (and the multipart calls it covers) and
   * AbortMultipartUpload under clips/, nothing else there (no read, no delete).
   */
  public grantClipWrite(grantee: iam.IGrantable): iam.Grant {
    const pattern = `${CLIPS_FOLDER}/*`;
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resourceArns: [this.bucket.arnForObjects(pattern)],
    });
    if (grantee.grantPrincipal instanceof iam.Role) {
      acknowledgeObjectWildcards(
        grantee.grantPrincipal,
        this.bucket,
        [pattern],
        'The clip export writes each clip (MP4, manifest, error) under clips/{camera}/{clipId}/; clip ids are made per request.',
      );
    }
    return grant;
  }

  /**
   * The API's clip routes: write a clip's request, read its state files and presign its
   * download (GetObject), delete a clip (DeleteObject), all under clips/ only, and list
   * only that prefix (ListBucket with an s3:prefix condition).
   */
  public grantClipManagement(grantee: iam.IGrantable): iam.Grant {
    const pattern = `${CLIPS_FOLDER}/*`;
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resourceArns: [this.bucket.arnForObjects(pattern)],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${CLIPS_FOLDER}/*`] } },
    });
    if (grantee.grantPrincipal instanceof iam.Role) {
      acknowledgeObjectWildcards(
        grantee.grantPrincipal,
        this.bucket,
        [pattern],
        'The clip routes create, read, presign and delete the clips of the camera in the IAM-authorised path; clip ids are made per request.',
      );
    }
    return grant;
  }

  /**
   * s3:GetObject (which also covers HeadObject and presigned GETs) on `pattern`, e.g.
   * `segments/*`. The wildcard is acknowledged for cdk-nag on the grantee with `why`.
   */
  public grantObjectRead(grantee: iam.IGrantable, pattern: string, why: string): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [this.bucket.arnForObjects(pattern)] });
    const principal = grantee.grantPrincipal;
    if (pattern.includes('*') && principal instanceof iam.Role) {
      acknowledgeObjectWildcards(principal, this.bucket, [pattern], `Read-only s3:GetObject on ${pattern}: ${why}`);
    }
    return grant;
  }
}

/** Pure: lists every bad prop at once. */
export function validateSegmentStoreProps(props: SegmentStoreProps, retentionDays: number, archiveAfterDays: number, eventRetentionDays = retentionDays): void {
  const check = new PropsChecker('SegmentStore')
    .wholeInRange('retentionDays', retentionDays, PipelineLimit.RETENTION_DAYS_MIN, PipelineLimit.RETENTION_DAYS_MAX)
    .wholeInRange('eventRetentionDays', eventRetentionDays, PipelineLimit.RETENTION_DAYS_MIN, PipelineLimit.RETENTION_DAYS_MAX)
    .require(
      eventRetentionDays >= retentionDays,
      `eventRetentionDays=${eventRetentionDays} must be at least retentionDays=${retentionDays} (event footage is kept as long or longer); raise it or leave it unset`,
    )
    .wholeInRange('archiveAfterDays', archiveAfterDays, 1, 36_500);
  if (props.archiveStorageClass) {
    check.require(
      archiveAfterDays < retentionDays,
      `archiveAfterDays=${archiveAfterDays} must be below retentionDays=${retentionDays}, or objects expire before they move; lower it or drop archiveStorageClass`,
    );
    const ia = [s3.StorageClass.INFREQUENT_ACCESS.value, s3.StorageClass.ONE_ZONE_INFREQUENT_ACCESS.value];
    check.require(
      !ia.includes(props.archiveStorageClass.value) || archiveAfterDays >= PipelineLimit.IA_MIN_TRANSITION_DAYS,
      `archiveAfterDays=${archiveAfterDays} must be at least ${PipelineLimit.IA_MIN_TRANSITION_DAYS} for ${props.archiveStorageClass.value} (an S3 rule)`,
    );
  }
  check.throwIfAny();
}
