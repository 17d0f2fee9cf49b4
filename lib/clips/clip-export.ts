import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { LambdaEnv } from '../../contract/index.ts';
import { CamrecFunction } from '../functions/camrec-function.ts';
import { HandlerEntry } from '../handler-entries.ts';
import type { ContentKey } from '../keys/content-key.ts';
import type { CameraEvents } from '../notifications/camera-events.ts';
import type { SegmentIndex } from '../storage/segment-index.ts';
import type { SegmentStore } from '../storage/segment-store.ts';

export interface ClipExportProps {
  readonly store: SegmentStore;
  readonly index: SegmentIndex;
  readonly contentKey: ContentKey;
  /** Where "Clip Ready" is published. */
  readonly cameraEvents: CameraEvents;
  /**
   * ISO 8601 cutoff for legacy unbound wrapped keys (see PlaybackApiProps.unboundKeysStoredBefore).
   * @default - the legacy format is refused
   */
  readonly unboundKeysStoredBefore?: string;
  /**
   * What happens to the clips' KMS key when the stack is deleted (without it no clip can be read).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** @default lambda/clips/handler.ts */
  readonly entry?: string;
  /**
   * Memory of the export function (MB): it holds two segments and two 8 MiB upload parts;
   * more memory is also more CPU (Lambda scales CPU with memory).
   * @default 1024
   */
  readonly memorySize?: number;
}

/**
 * Clip export: the function that turns a range of recordings into one MP4 under clips/
 * (SSE-KMS with its own symmetric key, rotated yearly), invoked asynchronously by the API.
 * Its role reads segments, packs, fMP4 init sections and wrapped keys, may kms:Decrypt the content key exactly
 * as the key route may (the key policy lists it), writes only under clips/, and publishes
 * on the notification bus.
 */
export class ClipExport extends Construct {
  public readonly function: CamrecFunction;
  /** Encrypts every clip object at rest (SSE-KMS, with an S3 Bucket Key). */
  public readonly clipKey: kms.Key;

  constructor(scope: Construct, id: string, props: ClipExportProps) {
    super(scope, id);
    this.clipKey = new kms.Key(this, 'ClipKey', {
      description: 'camrec exported clips (SSE-KMS of clips/)',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.function = new CamrecFunction(this, 'Export', {
      entry: props.entry ?? HandlerEntry.CLIP_EXPORT,
      description: 'camrec clip export: remuxes a range of recordings into one MP4 under clips/',
      environment: {
        [LambdaEnv.BUCKET_NAME]: props.store.bucket.bucketName,
        [LambdaEnv.TABLE_NAME]: props.index.table.tableName,
        [LambdaEnv.CONTENT_KEY_ID]: props.contentKey.key.keyArn,
        [LambdaEnv.CLIP_KEY_ID]: this.clipKey.keyArn,
        [LambdaEnv.EVENT_BUS_NAME]: props.cameraEvents.bus.eventBusName,
        ...(props.unboundKeysStoredBefore ? { [LambdaEnv.UNBOUND_KEYS_STORED_BEFORE]: props.unboundKeysStoredBefore } : {}),
      },
      memorySize: props.memorySize ?? 1024,
      timeout: Duration.minutes(15),
    });
    // An export that throws (ours, not the request's) is tried twice more; a refusal resolves FAILED and is not.
    this.function.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1) });
    const role = this.function.role;
    props.store.grantObjectRead(role, 'segments/*', 'the clip export reads the hot segments of the range a clip request names.');
    props.store.grantObjectRead(role, 'packs/*', 'the clip export reads byte ranges of packed history of the range a clip request names.');
    props.store.grantObjectRead(role, 'init/*', 'the clip export reads the init sections (EXT-X-MAP) of fMP4 segments it remuxes.');
    props.store.grantObjectRead(role, 'keys/*', 'the clip export reads the wrapped data keys of the segments it remuxes.');
    props.store.grantClipWrite(role);
    props.index.grantIndexRead(role);
    props.contentKey.grantUnwrap(role);
    props.cameraEvents.grantPublish(role);
    this.clipKey.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  /**
   * What the API's clip routes need: start an export (lambda:InvokeFunction on this function
   * only), manage clips/ objects, and use the clip key (presigned downloads of SSE-KMS
   * objects are decrypted with the signer's permission).
   */
  public grantRequests(role: iam.IRole): void {
    // The function itself, not `:*` (versions and aliases): the API invokes $LATEST.
    iam.Grant.addToPrincipal({ grantee: role, actions: ['lambda:InvokeFunction'], resourceArns: [this.function.fn.functionArn] });
    this.clipKey.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
}
