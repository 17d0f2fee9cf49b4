import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DEVICE_FOLDERS, TopFolder } from '../../contract/index.ts';
import { acknowledgeObjectWildcards } from '../nag/acknowledge.ts';
import { PipelineDefault, PipelineLimit, PropsChecker } from '../settings.ts';

export interface SegmentStoreProps {
  /**
   * Days to keep every object (segments, wrapped keys, events); S3 expires them after.
   * @default 30
   */
  readonly retentionDays?: number;
  /**
   * Move objects to this cheaper storage class after `archiveAfterDays`.
   * @default - objects stay in S3 Standard
   */
  readonly archiveStorageClass?: s3.StorageClass;
  /**
   * Days after which objects move to `archiveStorageClass` (must be below `retentionDays`).
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

/**
 * The recordings bucket: all public access blocked, TLS only, SSE-S3 at rest, write-once
 * for segments/keys/events/heartbeats (a PUT without `If-None-Match` is refused by bucket
 * policy), expiry after `retentionDays` (heartbeats after a day), an optional archive
 * transition, and server access logs into a second bucket.
 */
export class SegmentStore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogBucket: s3.Bucket;
  public readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: SegmentStoreProps = {}) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? PipelineDefault.RETENTION_DAYS;
    const archiveAfterDays = props.archiveAfterDays ?? PipelineDefault.ARCHIVE_AFTER_DAYS;
    validateSegmentStoreProps(props, retentionDays, archiveAfterDays);
    this.retentionDays = retentionDays;
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
      lifecycleRules: [
        {
          id: 'expire-recordings',
          expiration: Duration.days(retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          transitions: props.archiveStorageClass
            ? [{ storageClass: props.archiveStorageClass, transitionAfter: Duration.days(archiveAfterDays) }]
            : undefined,
        },
        { id: 'expire-heartbeats', prefix: `${TopFolder.HEARTBEATS}/`, expiration: Duration.days(HEARTBEAT_EXPIRY_DAYS) },
      ],
      cors: [
        {
          allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedOrigins: [...(props.corsOrigins ?? PipelineDefault.CORS_ORIGINS)],
          allowedHeaders: ['*'],
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
export function validateSegmentStoreProps(props: SegmentStoreProps, retentionDays: number, archiveAfterDays: number): void {
  const check = new PropsChecker('SegmentStore')
    .wholeInRange('retentionDays', retentionDays, 1, 36_500)
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
