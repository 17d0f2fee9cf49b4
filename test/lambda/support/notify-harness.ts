import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Event } from 'aws-lambda';
import {
  eventEndKey,
  eventKey,
  heartbeatKey,
  segmentKey,
  serializeEventRecord,
  serializeHeartbeatRecord,
  toS3Metadata,
  type AnyEventRecord,
  type HeartbeatRecord,
  type Notification,
  type SegmentMetadata,
} from '../../../contract/index.ts';
import { dynamoEventStore } from '../../../lambda/events/dynamo-event-store.ts';
import { dynamoSegmentIndex } from '../../../lambda/index/dynamo-segment-index.ts';
import { createIndexer, type Indexer } from '../../../lambda/indexer/create-indexer.ts';
import { dynamoLivenessStore } from '../../../lambda/liveness/dynamo-liveness-store.ts';
import { checkDevice, type CheckOutcome, type OfflineWatchDeps } from '../../../lambda/liveness/offline-watch.ts';
import type { WatchMessage, WatchQueue } from '../../../lambda/liveness/watch-queue.ts';
import type { NotificationPublisher } from '../../../lambda/notify/notification-publisher.ts';
import type { ObjectHead, ObjectStore } from '../../../lambda/storage/object-store.ts';
import { startDynalite, type RunningDynalite } from '../../../local/emulators/start-dynalite.ts';

export const TABLE = 'camrec-notify-test';
export const BUCKET = 'camrec-bucket';
const KEY_ID = 'ab'.repeat(16);

/** A watch queue that holds messages with their due time; the test delivers them as time passes. */
export class ManualWatchQueue implements WatchQueue {
  readonly pending: { message: WatchMessage; dueMs: number }[] = [];
  constructor(private readonly clock: { nowMs(): number }) {}
  async schedule(message: WatchMessage, delayMs: number): Promise<void> {
    this.pending.push({ message, dueMs: this.clock.nowMs() + Math.ceil(delayMs / 1000) * 1000 });
  }
  /** Removes and answers the messages due by now, oldest first. */
  takeDue(): WatchMessage[] {
    const now = this.clock.nowMs();
    const due = this.pending.filter((p) => p.dueMs <= now).sort((a, b) => a.dueMs - b.dueMs);
    for (const d of due) this.pending.splice(this.pending.indexOf(d), 1);
    return due.map((d) => d.message);
  }
}

/** A publisher that records, and can be told to fail the next N calls. */
export class RecordingPublisher implements NotificationPublisher {
  readonly published: Notification[] = [];
  failNext = 0;
  async publish(ns: readonly Notification[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('EventBridge is unavailable (test)');
    }
    this.published.push(...ns);
  }
  types(deviceId?: string): string[] {
    return this.published.filter((n) => !deviceId || n.detail.deviceId === deviceId).map((n) => n.type);
  }
}

/**
 * The cloud side of notifications against dynalite: the real indexer (DynamoDB stores,
 * liveness, offline watch) over an in-memory bucket, the offline checker, a clock the
 * test moves, a manual watch queue and a recording publisher. Every DynamoDB command
 * sent is recorded, so a test can assert no Scan ran.
 */
export class NotifyHarness {
  nowMs: number;
  readonly clock = { nowMs: () => this.nowMs };
  readonly queue = new ManualWatchQueue(this.clock);
  readonly publisher = new RecordingPublisher();
  readonly objects = new Map<string, { metadata: Record<string, string>; body: Uint8Array }>();
  readonly commands: string[] = [];
  dyn!: RunningDynalite;
  client!: DynamoDBClient;
  indexer!: Indexer;
  watchDeps!: OfflineWatchDeps;
  seq = 1000;

  constructor(
    startMs: number,
    readonly offlineAfterMs = 90_000,
  ) {
    this.nowMs = startMs;
  }

  async start(): Promise<this> {
    this.dyn = await startDynalite({ tableName: TABLE });
    this.client = this.dyn.createClient();
    this.client.middlewareStack.add(
      (next, ctx) => (args) => {
        this.commands.push(String((ctx as { commandName?: string }).commandName));
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    const store: ObjectStore = {
      head: async (key): Promise<ObjectHead | undefined> => {
        const o = this.objects.get(key);
        return o && { metadata: o.metadata, sizeBytes: o.body.length, lastModifiedMs: this.nowMs };
      },
      getBytes: async (key) => this.objects.get(key)?.body,
    };
    const liveness = dynamoLivenessStore(this.client, TABLE);
    const events = dynamoEventStore(this.client, TABLE);
    this.indexer = createIndexer({
      index: dynamoSegmentIndex(this.client, TABLE),
      events,
      store,
      config: { retentionDays: 7, bucketName: BUCKET },
      clock: this.clock,
      publisher: this.publisher,
      liveness,
      watch: { queue: this.queue, offlineAfterMs: this.offlineAfterMs },
    });
    this.watchDeps = { liveness, events, queue: this.queue, publisher: this.publisher, clock: this.clock, offlineAfterMs: this.offlineAfterMs };
    return this;
  }

  async close(): Promise<void> {
    this.client?.destroy();
    await this.dyn?.close();
  }

  /** Stores an object and delivers its ObjectCreated event (S3 time = now). */
  async upload(key: string, body: string | Uint8Array, metadata: Record<string, string> = {}): Promise<void> {
    this.objects.set(key, { metadata, body: typeof body === 'string' ? Buffer.from(body) : body });
    const event = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          eventTime: new Date(this.nowMs).toISOString(),
          s3: { bucket: { name: BUCKET }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/') } },
        },
      ],
    } as unknown as S3Event;
    await this.indexer(event);
  }

  async segment(deviceId: string, durationMs = 6000): Promise<void> {
    const seq = this.seq++;
    const meta: SegmentMetadata = {
      startMs: this.nowMs - durationMs,
      durationMs,
      seq,
      discSeq: 0,
      keyId: KEY_ID,
      iv: '00'.repeat(16),
      codecs: 'avc1.64001f',
      width: 640,
      height: 360,
    };
    await this.upload(segmentKey({ deviceId, startMs: meta.startMs, seq }), new Uint8Array(188), toS3Metadata(meta));
  }

  async eventRecord(r: AnyEventRecord): Promise<void> {
    const end = r.version === 2 && r.phase === 'end';
    await this.upload((end ? eventEndKey : eventKey)(r), serializeEventRecord(r));
  }

  async heartbeat(deviceId: string, over: Partial<HeartbeatRecord> = {}): Promise<void> {
    const hb: HeartbeatRecord = { version: 1, deviceId, atMs: this.nowMs, mode: 'event', privacyPaused: false, backlogSegments: 0, ...over };
    await this.upload(heartbeatKey({ deviceId, atMs: hb.atMs }), serializeHeartbeatRecord(hb));
  }

  /** Moves the clock forward, delivering due watch messages to the checker on the way (1 s steps). */
  async advance(ms: number): Promise<CheckOutcome[]> {
    const outcomes: CheckOutcome[] = [];
    const end = this.nowMs + ms;
    while (this.nowMs < end) {
      this.nowMs = Math.min(end, this.nowMs + 1000);
      for (const m of this.queue.takeDue()) outcomes.push(await checkDevice(this.watchDeps, m));
    }
    return outcomes;
  }
}
