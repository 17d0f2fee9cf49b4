import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DeviceAccess } from './devices/device-access.ts';
import { SegmentIndexer } from './indexer/segment-indexer.ts';
import { ContentKey } from './keys/content-key.ts';
import { PlaybackApi } from './playback/playback-api.ts';
import { SegmentIndex } from './storage/segment-index.ts';
import { SegmentStore } from './storage/segment-store.ts';
import { PipelineDefault } from './settings.ts';

export interface RecordingPipelineProps {
  /**
   * Days to keep recordings (objects and index items).
   * @default 30
   */
  readonly retentionDays?: number;
  /**
   * Cheaper storage class recordings move to after `archiveAfterDays`.
   * @default - no transition (S3 Standard)
   */
  readonly archiveStorageClass?: s3.StorageClass;
  /**
   * Age in days at which recordings move to `archiveStorageClass`.
   * @default 30
   */
  readonly archiveAfterDays?: number;
  /**
   * Segment length the cameras aim for (written into device.json by `camrec provision`).
   * @default 2
   */
  readonly segmentSeconds?: number;
  /**
   * Fixed EXT-X-TARGETDURATION; must be >= the longest segment.
   * @default targetDurationSeconds(segmentSeconds) from contract/: segmentSeconds rounded up
   * (the agent never lets a segment run past it; local mode uses the same formula)
   */
  readonly targetDurationSeconds?: number;
  /**
   * Segments in a live playlist's window.
   * @default 6
   */
  readonly liveWindowSegments?: number;
  /**
   * Lifetime of a camera's AWS credentials from the IoT credential provider.
   * @default 3600
   */
  readonly credentialDurationSeconds?: number;
  /**
   * Browser origins allowed to use the API and fetch segments.
   * @default ['*']
   */
  readonly corsOrigins?: readonly string[];
  /**
   * API steady-state rate (requests per second).
   * @default 100
   */
  readonly throttleRatePerSecond?: number;
  /**
   * API burst above the rate.
   * @default 200
   */
  readonly throttleBurstRequests?: number;
  /**
   * What happens to recordings, the index, the content key and the token secret when the
   * stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Serve wrapped keys in the legacy unbound format only if S3 stored them before this
   * ISO 8601 time (see PlaybackApiProps.unboundKeysStoredBefore).
   * @default - the legacy format is refused
   */
  readonly unboundKeysStoredBefore?: string;
  /**
   * Handler entry files, to run forked handlers.
   * @default - lambda/indexer/handler.ts, lambda/api/handler.ts, lambda/keys/handler.ts
   */
  readonly handlerEntries?: HandlerEntries;
}

export interface HandlerEntries {
  readonly indexer?: string;
  readonly api?: string;
  readonly keys?: string;
}

/**
 * The whole cloud side of camrec, as one construct to drop into any stack:
 * `new RecordingPipeline(this, 'Cameras', props)`. Each part is also usable on its own.
 */
export class RecordingPipeline extends Construct {
  public readonly store: SegmentStore;
  public readonly index: SegmentIndex;
  public readonly contentKey: ContentKey;
  public readonly devices: DeviceAccess;
  public readonly indexer: SegmentIndexer;
  public readonly playback: PlaybackApi;
  /** What devices are told to aim for (device.json segmentSeconds). */
  public readonly segmentSeconds: number;

  constructor(scope: Construct, id: string, props: RecordingPipelineProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy;
    this.store = new SegmentStore(this, 'Store', {
      retentionDays: props.retentionDays,
      archiveStorageClass: props.archiveStorageClass,
      archiveAfterDays: props.archiveAfterDays,
      corsOrigins: props.corsOrigins,
      removalPolicy,
    });
    this.index = new SegmentIndex(this, 'Index', { removalPolicy });
    this.contentKey = new ContentKey(this, 'ContentKey', { removalPolicy });
    this.devices = new DeviceAccess(this, 'Devices', {
      bucket: this.store.bucket,
      credentialDurationSeconds: props.credentialDurationSeconds,
    });
    this.indexer = new SegmentIndexer(this, 'Indexer', { store: this.store, index: this.index, entry: props.handlerEntries?.indexer });
    this.playback = new PlaybackApi(this, 'Playback', {
      store: this.store,
      index: this.index,
      contentKey: this.contentKey,
      segmentSeconds: props.segmentSeconds,
      targetDurationSeconds: props.targetDurationSeconds,
      liveWindowSegments: props.liveWindowSegments,
      corsOrigins: props.corsOrigins,
      throttleRatePerSecond: props.throttleRatePerSecond,
      throttleBurstRequests: props.throttleBurstRequests,
      removalPolicy,
      unboundKeysStoredBefore: props.unboundKeysStoredBefore,
      apiEntry: props.handlerEntries?.api,
      keysEntry: props.handlerEntries?.keys,
    });
    this.segmentSeconds = props.segmentSeconds ?? PipelineDefault.SEGMENT_SECONDS;
  }
}
