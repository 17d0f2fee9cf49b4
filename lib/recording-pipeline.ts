import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { NotificationType } from '../contract/index.ts';
import { Construct } from 'constructs';
import { DeviceAccess } from './devices/device-access.ts';
import { HistoryPacker } from './packing/history-packer.ts';
import { SegmentIndexer } from './indexer/segment-indexer.ts';
import { ContentKey } from './keys/content-key.ts';
import { CameraEvents } from './notifications/camera-events.ts';
import { WebhookDelivery } from './notifications/webhook-delivery.ts';
import { ClipExport } from './clips/clip-export.ts';
import { PlaybackApi } from './playback/playback-api.ts';
import { SegmentIndex } from './storage/segment-index.ts';
import { SegmentStore } from './storage/segment-store.ts';
import { PipelineDefault } from './settings.ts';

export interface RecordingPipelineProps {
  /**
   * Days to keep continuous recordings (objects and index items).
   * @default 30
   */
  readonly retentionDays?: number;
  /**
   * Days to keep footage an event record covers (motion, doorbell, ...): those hours or
   * ranges are packed into event packs with their own lifecycle rule. At least `retentionDays`.
   * @default retentionDays
   */
  readonly eventRetentionDays?: number;
  /**
   * Storage class packed history is written in.
   * @default the cheapest for `retentionDays` in `npm run cost`: S3 Standard under 17 days, Standard-IA to 30, Glacier Instant Retrieval above
   */
  readonly packStorageClass?: s3.StorageClass;
  /**
   * Opt in to S3 One Zone-IA for continuous packs, where `npm run cost` finds it cheapest
   * (retention of 14 to 38 days; Standard below, Glacier Instant Retrieval above). It
   * stores 20% cheaper than Standard-IA ($0.01 vs $0.0125 per GB-month in us-east-1, same
   * 30-day minimum and retrieval fee) and brings 2 Mbps / 30 days to 0.58x KVS. The
   * trade-off: One Zone-IA keeps the packs in a single Availability Zone (99.5% availability
   * instead of 99.9%), so packed history is lost if that zone is destroyed. Hot segments,
   * event packs and the index stay multi-AZ. Not with `packStorageClass`.
   * @default false
   */
  readonly singleZonePacks?: boolean;
  /**
   * Storage class of event packs.
   * @default the cheapest for `eventRetentionDays`, as packStorageClass
   */
  readonly eventPackStorageClass?: s3.StorageClass;
  /**
   * Cheaper storage class packs move to after `archiveAfterDays` (they are written in
   * their pack class already).
   * @default - no transition
   */
  readonly archiveStorageClass?: s3.StorageClass;
  /**
   * Age in days at which packs move to `archiveStorageClass`.
   * @default 30
   */
  readonly archiveAfterDays?: number;
  /**
   * Segment length the cameras aim for (written into device.json by `camrec provision`).
   * @default 6 (SegmentSeconds.DEFAULT in contract/, the agent's own default)
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
   * @default 5
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
   * Notifications: the bus is always there (source `camrec`: camera event started/ended,
   * camera offline/online, clip ready); this adds delivery to a webhook and sets when a
   * silent camera counts as offline.
   * @default - notifications on the bus only; offline after 90 s
   */
  readonly notifications?: NotificationsProps;
  /**
   * Handler entry files, to run forked handlers.
   * @default - lambda/indexer/handler.ts, lambda/api/handler.ts, lambda/keys/handler.ts, lambda/liveness/handler.ts
   */
  readonly handlerEntries?: HandlerEntries;
}

export interface NotificationsProps {
  /**
   * An HTTPS endpoint that gets every notification (POST, the EventBridge event JSON)
   * through an EventBridge API destination, with retries and a dead-letter queue.
   * @default - no webhook
   */
  readonly webhookUrl?: string;
  /**
   * How the webhook call authenticates.
   * @default - header `x-camrec-webhook-secret` with a generated secret in Secrets Manager
   */
  readonly webhookAuthorization?: events.Authorization;
  /**
   * Which notifications the webhook gets.
   * @default all
   */
  readonly webhookEventTypes?: readonly NotificationType[];
  /**
   * Webhook calls per second at most.
   * @default 10
   */
  readonly webhookRateLimitPerSecond?: number;
  /**
   * Retries of a failed webhook call before the event goes to the dead-letter queue.
   * @default 10
   */
  readonly webhookRetryAttempts?: number;
  /**
   * How long EventBridge retries one webhook call.
   * @default Duration.hours(6)
   */
  readonly webhookMaxEventAge?: Duration;
  /**
   * Seconds of silence (no segment, event or heartbeat) after which a camera is reported
   * offline; the agent heartbeats every 45 s while idle. 10..900.
   * @default 90
   */
  readonly offlineAfterSeconds?: number;
  /**
   * Publish on your own bus instead of a new one.
   * @default - a new bus
   */
  readonly eventBus?: events.IEventBus;
}

export interface HandlerEntries {
  readonly indexer?: string;
  readonly api?: string;
  readonly keys?: string;
  readonly offlineChecker?: string;
  readonly packer?: string;
  readonly sweeper?: string;
  readonly clipExport?: string;
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
  /** Clip export (MP4 under clips/, kept until deleted). */
  public readonly clips: ClipExport;
  /** The notification bus and the offline watch. */
  public readonly cameraEvents: CameraEvents;
  /** Delivery to `notifications.webhookUrl`, when set. */
  public readonly webhook: WebhookDelivery | undefined;
  public readonly packing: HistoryPacker;
  /** What devices are told to aim for (device.json segmentSeconds). */
  public readonly segmentSeconds: number;

  constructor(scope: Construct, id: string, props: RecordingPipelineProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy;
    this.store = new SegmentStore(this, 'Store', {
      retentionDays: props.retentionDays,
      eventRetentionDays: props.eventRetentionDays,
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
    const n = props.notifications ?? {};
    this.cameraEvents = new CameraEvents(this, 'Notifications', {
      index: this.index,
      offlineAfterSeconds: n.offlineAfterSeconds,
      eventBus: n.eventBus,
      checkerEntry: props.handlerEntries?.offlineChecker,
    });
    this.webhook = n.webhookUrl
      ? new WebhookDelivery(this, 'Webhook', {
          bus: this.cameraEvents.bus,
          url: n.webhookUrl,
          authorization: n.webhookAuthorization,
          eventTypes: n.webhookEventTypes,
          rateLimitPerSecond: n.webhookRateLimitPerSecond,
          retryAttempts: n.webhookRetryAttempts,
          maxEventAge: n.webhookMaxEventAge,
        })
      : undefined;
    this.indexer = new SegmentIndexer(this, 'Indexer', {
      store: this.store,
      index: this.index,
      entry: props.handlerEntries?.indexer,
      cameraEvents: this.cameraEvents,
    });
    this.packing = new HistoryPacker(this, 'Packing', {
      store: this.store,
      index: this.index,
      packStorageClass: props.packStorageClass,
      singleZonePacks: props.singleZonePacks,
      eventPackStorageClass: props.eventPackStorageClass,
      packerEntry: props.handlerEntries?.packer,
      sweeperEntry: props.handlerEntries?.sweeper,
    });
    this.clips = new ClipExport(this, 'Clips', {
      store: this.store,
      index: this.index,
      contentKey: this.contentKey,
      cameraEvents: this.cameraEvents,
      unboundKeysStoredBefore: props.unboundKeysStoredBefore,
      removalPolicy,
      entry: props.handlerEntries?.clipExport,
    });
    this.playback = new PlaybackApi(this, 'Playback', {
      store: this.store,
      index: this.index,
      contentKey: this.contentKey,
      clips: this.clips,
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
      offlineAfterSeconds: this.cameraEvents.offlineAfterSeconds,
    });
    this.segmentSeconds = props.segmentSeconds ?? PipelineDefault.SEGMENT_SECONDS;
  }
}
