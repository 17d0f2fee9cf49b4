import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { segmentContentType, segmentKey, toS3Metadata, type SegmentMetadata } from '../../../contract/index.ts';
import { dynamoEventStore } from '../../../lambda/events/dynamo-event-store.ts';
import { dynamoHistoryStore } from '../../../lambda/index/dynamo-history-store.ts';
import { dynamoSegmentIndex } from '../../../lambda/index/dynamo-segment-index.ts';
import type { HistoryStore } from '../../../lambda/index/history-store.ts';
import type { SegmentIndex } from '../../../lambda/index/segment-index.ts';
import { createIndexer, type Indexer, type IndexerReport } from '../../../lambda/indexer/create-indexer.ts';
import type { PackingConfig } from '../../../lambda/indexer/hour-registration.ts';
import { createPacker, type PackerConfig, type PackerDeps } from '../../../lambda/packer/create-packer.ts';
import { VerifyMode } from '../../../lambda/packer/pack-verify.ts';
import type { PackStore } from '../../../lambda/storage/pack-store.ts';
import { s3ObjectStore } from '../../../lambda/storage/s3-object-store.ts';
import { s3PackStore } from '../../../lambda/storage/s3-pack-store.ts';
import { createSweeper } from '../../../lambda/sweeper/create-sweeper.ts';
import { startDynalite, type RunningDynalite } from '../../../local/emulators/start-dynalite.ts';
import { startS3rver, type RunningS3rver } from '../../../local/emulators/start-s3rver.ts';
import { CredentialRegistry } from '../../../local/iot/credential-registry.ts';
import { LOCAL_THING_TYPE } from '../../../local/iot/iot-credential-provider.ts';
import { withFrontChecksums } from '../../../local/s3-front/front-checksum.ts';
import { startS3Front, type S3Front } from '../../../local/s3-front/s3-front-server.ts';
import { until } from '../../support/until.ts';

export const BUCKET = 'camrec-pack-test';
export const TABLE = 'camrec-index';
export const HOUR_MS = 3_600_000;

export interface HarnessSegment {
  deviceId: string;
  meta: SegmentMetadata;
  body: Buffer;
  key: string;
}

export interface PackingHarnessOptions {
  packer?: Partial<PackerConfig>;
  packing?: Partial<PackingConfig>;
}

/**
 * The recording and compaction path on this machine: cameras PUT through the local S3
 * front (SigV4, write-once, x-amz-checksum-sha256 checked and kept) into s3rver, s3rver's
 * ObjectCreated events go to the real indexer, and the real packer and sweep run over
 * s3rver and dynalite (with the open-hours index). The clock can be moved forward.
 */
export class PackingHarness {
  s3!: RunningS3rver;
  dynamo!: RunningDynalite;
  front!: S3Front;
  raw!: S3Client;
  index!: SegmentIndex;
  history!: HistoryStore;
  store!: PackStore;
  clockOffsetMs = 0;
  readonly clock = { nowMs: () => Date.now() + this.clockOffsetMs };
  readonly reports: IndexerReport[] = [];
  readonly indexErrors: unknown[] = [];
  packing!: PackingConfig;
  indexer!: Indexer;
  packerConfig!: PackerConfig;
  private readonly registry = new CredentialRegistry(() => this.clock.nowMs());
  private readonly devices = new Map<string, S3Client>();
  private readonly pending = new Set<Promise<unknown>>();

  static async start(o: PackingHarnessOptions = {}): Promise<PackingHarness> {
    const h = new PackingHarness();
    [h.s3, h.dynamo] = await Promise.all([startS3rver({ bucketName: BUCKET }), startDynalite({ tableName: TABLE })]);
    h.front = await startS3Front({ upstream: h.s3.endpoint, bucket: BUCKET, registry: h.registry, now: () => h.clock.nowMs() });
    h.raw = h.s3.createClient();
    h.packing = { periodMs: HOUR_MS, graceMs: 60_000, hotIndexDays: 3, ...o.packing };
    const ddb = h.dynamo.createClient();
    h.index = dynamoSegmentIndex(ddb, TABLE, { packPeriodMs: h.packing.periodMs });
    h.history = dynamoHistoryStore(ddb, TABLE);
    h.store = s3PackStore(h.raw, BUCKET);
    h.packerConfig = {
      periodMs: h.packing.periodMs,
      drainMs: 0,
      retentionDays: 7,
      eventRetentionDays: 7,
      storageClass: 'STANDARD_IA',
      eventStorageClass: 'STANDARD_IA',
      verify: VerifyMode.READ_BACK,
      copyParts: false,
      partSizing: { minPartBytes: 64 * 1024, maxPartBytes: 256 * 1024, targetParts: 4 },
      prefetchBytes: 256 * 1024,
      ...o.packer,
    };
    const indexer = (h.indexer = createIndexer({
      index: h.index,
      events: dynamoEventStore(ddb, TABLE),
      store: withFrontChecksums(s3ObjectStore(h.raw, BUCKET)),
      config: { retentionDays: h.packerConfig.retentionDays, eventRetentionDays: h.packerConfig.eventRetentionDays, bucketName: BUCKET, packing: h.packing },
      clock: h.clock,
    }));
    h.s3.events.on('event', (e: S3Event) => {
      for (const r of e.Records) h.unannounced.delete(decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
      if (!e.Records.every((r) => /^(segments|keys|events|heartbeats)\//.test(decodeURIComponent(r.s3.object.key)))) return;
      const p = indexer(e).then(
        (r) => void h.reports.push(r),
        (err) => void h.indexErrors.push(err),
      );
      h.pending.add(p);
      void p.finally(() => h.pending.delete(p));
    });
    return h;
  }

  /** The camera's S3 client: device credentials through the front, as the agent uploads. */
  device(deviceId: string): S3Client {
    let c = this.devices.get(deviceId);
    if (!c) {
      const creds = this.registry.issueDevice({ thingName: deviceId, thingTypeName: LOCAL_THING_TYPE }, 3600);
      c = new S3Client({
        region: 'us-east-1',
        endpoint: this.front.endpoint,
        forcePathStyle: true,
        maxAttempts: 1,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
      });
      this.devices.set(deviceId, c);
    }
    return c;
  }

  /** Segments of random bytes, back to back from `startMs`, each `sizeBytes` (± a little, so lengths differ). */
  segments(deviceId: string, o: { startMs: number; count: number; durationMs?: number; seq: number; sizeBytes?: number; discSeq?: number }): HarnessSegment[] {
    const durationMs = o.durationMs ?? 6000;
    const keyId = createHash('md5').update(deviceId).digest('hex');
    return Array.from({ length: o.count }, (_, i) => {
      const meta: SegmentMetadata = {
        startMs: o.startMs + i * durationMs,
        durationMs,
        seq: o.seq + i,
        discSeq: o.discSeq ?? 1,
        keyId,
        iv: randomBytes(16).toString('hex'),
        codecs: 'avc1.64001f,mp4a.40.2',
        width: 640,
        height: 360,
      };
      const body = randomBytes((o.sizeBytes ?? 40_000) + ((i * 997) % 1601));
      return { deviceId, meta, body, key: segmentKey({ deviceId, startMs: meta.startMs, seq: meta.seq }) };
    });
  }

  /** PUTs each as the camera does (If-None-Match, x-amz-checksum-sha256) and waits until indexed. */
  async upload(segs: readonly HarnessSegment[]): Promise<void> {
    for (const s of segs) {
      // Noted before the PUT: s3rver may announce the object before it answers.
      this.unannounced.add(s.key);
      try {
        await this.device(s.deviceId).send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: s.key,
            Body: s.body,
            ContentType: segmentContentType(s.meta.container ?? 'ts'),
            Metadata: toS3Metadata(s.meta),
            IfNoneMatch: '*',
            ChecksumSHA256: createHash('sha256').update(s.body).digest('base64'),
          }),
        );
      } catch (err) {
        this.unannounced.delete(s.key);
        throw err;
      }
    }
    await this.settle();
  }

  /** Segments uploaded whose S3 event has not arrived yet. */
  private readonly unannounced = new Set<string>();

  /** Waits until every uploaded segment has been announced by S3 and indexed. */
  async settle(): Promise<void> {
    await until('S3 events for every upload', () => this.unannounced.size === 0, { timeoutMs: 20_000, intervalMs: 5, detail: () => [...this.unannounced] });
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** The object's ObjectCreated event delivered to the indexer once more (S3 delivers at least once). */
  async indexObjectAgain(key: string): Promise<IndexerReport> {
    const record = {
      eventName: 'ObjectCreated:Put',
      eventTime: new Date(this.clock.nowMs()).toISOString(),
      s3: { bucket: { name: BUCKET }, object: { key: encodeURIComponent(key) } },
    };
    return this.indexer({ Records: [record] } as unknown as S3Event);
  }

  packer(over: Partial<PackerDeps> = {}) {
    return createPacker({ history: this.history, events: this.index, store: this.store, config: this.packerConfig, clock: this.clock, ...over });
  }

  sweeper(dispatch: (job: { deviceId: string; hourMs: number }) => Promise<void>, leaseMs = 60_000) {
    return createSweeper({ history: this.history, dispatch, config: { leaseMs }, clock: this.clock });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      return true;
    } catch {
      return false;
    }
  }

  /** Bytes [offset, offset + length) of an object, with an HTTP Range GET (as a player reads a pack). */
  async range(key: string, offset: number, length: number): Promise<Buffer> {
    const out = await this.raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  async close(): Promise<void> {
    await this.settle();
    for (const c of this.devices.values()) c.destroy();
    this.raw.destroy();
    await this.front.stop();
    await Promise.all([this.s3.close(), this.dynamo.close()]);
  }
}
