import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import {
  INIT_CONTENT_TYPE,
  WRAPPED_KEY_CONTENT_TYPE,
  EVENT_CONTENT_TYPE,
  initKey,
  segmentContentType,
  segmentKey,
  serializeEventRecord,
  toS3Metadata,
  wrapDataKey,
  wrappedKeyKey,
  eventKey,
  IMAGE_CONTENT_TYPE,
  imageKey,
  toImageS3Metadata,
  type EventRecord,
  type SegmentMetadata,
} from '../../../contract/index.ts';
import { encryptSegment } from '../../../device/media/encrypt/encrypt-segment.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { createApiHandler, ApiRoute } from '../../../lambda/api/create-api-handler.ts';
import type { SessionAnswer } from '../../../lambda/api/routes/create-session.ts';
import { dynamoEventStore } from '../../../lambda/events/dynamo-event-store.ts';
import { dynamoImageIndex } from '../../../lambda/images/dynamo-image-index.ts';
import { dynamoSegmentIndex } from '../../../lambda/index/dynamo-segment-index.ts';
import { createIndexer, type IndexerReport } from '../../../lambda/indexer/create-indexer.ts';
import { createKeysHandler } from '../../../lambda/keys/create-keys-handler.ts';
import { localKeyUnwrapper } from '../../../lambda/keys/key-unwrapper.ts';
import { s3ObjectStore } from '../../../lambda/storage/s3-object-store.ts';
import { staticTokenSecrets } from '../../../lambda/token/token-secrets.ts';
import { toApiGatewayEvent, writeHandlerResult } from '../../../local/http/api-gateway-event.ts';
import { startDynalite, type RunningDynalite } from '../../../local/emulators/start-dynalite.ts';
import { startS3rver, type RunningS3rver } from '../../../local/emulators/start-s3rver.ts';
import { dynamoHistoryStore } from '../../../lambda/index/dynamo-history-store.ts';
import type { SegmentIndex } from '../../../lambda/index/segment-index.ts';
import type { PackingConfig } from '../../../lambda/indexer/hour-registration.ts';
import { createPacker, type Packer } from '../../../lambda/packer/create-packer.ts';
import { VerifyMode } from '../../../lambda/packer/pack-verify.ts';
import { s3PackStore } from '../../../lambda/storage/s3-pack-store.ts';
import { until } from '../../support/until.ts';

export const BUCKET = 'camrec-test';
export const TABLE = 'camrec-index';

export interface HarnessOptions {
  targetDurationSeconds?: number;
  liveWindowSegments?: number;
  /** The key route's cutoff for legacy unbound wrapped keys (UTC ms). */
  unboundKeysStoredBeforeMs?: number;
  /** Packed history: the indexer registers pack hours and `packer()` packs them (read-back verified, hot copies deleted at once). */
  packing?: PackingConfig;
}

/** A segment as a camera would upload it: encrypted bytes plus its metadata. */
export interface UploadSegment {
  deviceId: string;
  meta: SegmentMetadata;
  body: Uint8Array;
}

/**
 * The cloud side on this machine: s3rver and dynalite in process, the real indexer fed
 * from s3rver's ObjectCreated events, and the API and keys handlers behind a node:http
 * server through local mode's API Gateway event adapter.
 */
export class PlaybackHarness {
  s3!: RunningS3rver;
  dynamo!: RunningDynalite;
  s3Client!: S3Client;
  baseUrl = '';
  /** Offset added to the real clock (tests move time forward). */
  clockOffsetMs = 0;
  readonly wrapping = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly reports: IndexerReport[] = [];
  readonly indexErrors: unknown[] = [];
  index!: SegmentIndex;
  /** The compactor over this harness's s3rver and dynalite (with `packing`). */
  packer!: Packer;
  private server!: Server;
  private pending = new Set<Promise<unknown>>();

  static async start(o: HarnessOptions = {}): Promise<PlaybackHarness> {
    const h = new PlaybackHarness();
    await h.init(o);
    return h;
  }

  private async init(o: HarnessOptions): Promise<void> {
    [this.s3, this.dynamo] = await Promise.all([startS3rver({ bucketName: BUCKET }), startDynalite({ tableName: TABLE })]);
    this.s3Client = this.s3.createClient();
    const store = s3ObjectStore(this.s3Client, BUCKET);
    const ddb = this.dynamo.createClient();
    const periodMs = o.packing?.periodMs;
    const index = (this.index = dynamoSegmentIndex(ddb, TABLE, periodMs ? { packPeriodMs: periodMs } : {}));
    const clock = { nowMs: () => Date.now() + this.clockOffsetMs };
    const tokenSecrets = staticTokenSecrets([{ version: 'test1', secret: randomBytes(32) }]);
    const images = dynamoImageIndex(ddb, TABLE);
    const indexer = createIndexer({
      index,
      events: dynamoEventStore(this.dynamo.createClient(), TABLE),
      images,
      store,
      config: { retentionDays: 7, bucketName: BUCKET, ...(o.packing ? { packing: o.packing } : {}) },
      clock,
    });
    this.packer = createPacker({
      history: dynamoHistoryStore(ddb, TABLE),
      events: index,
      store: s3PackStore(this.s3Client, BUCKET),
      clock,
      config: {
        periodMs: periodMs ?? 3_600_000,
        drainMs: 0,
        retentionDays: 7,
        eventRetentionDays: 7,
        storageClass: 'STANDARD_IA',
        eventStorageClass: 'STANDARD_IA',
        verify: VerifyMode.READ_BACK,
        copyParts: false,
      },
    });
    this.s3.events.on('event', (e: S3Event) => {
      for (const r of e.Records) this.announced(decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
      const p = indexer(e).then(
        (r) => void this.reports.push(r),
        (err) => void this.indexErrors.push(err),
      );
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    });
    this.server = createServer();
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    const config = {
      targetDurationSeconds: o.targetDurationSeconds ?? 2,
      liveWindowSegments: o.liveWindowSegments ?? 5,
      corsOrigins: ['*'],
      publicBaseUrl: this.baseUrl,
      ...(periodMs ? { packPeriodMs: periodMs } : {}),
    };
    const api = createApiHandler({ config, index, images, presigner: store, tokenSecrets, clock });
    const keys = createKeysHandler({
      config: { ...config, unboundKeysStoredBeforeMs: o.unboundKeysStoredBeforeMs },
      store,
      index,
      images,
      unwrapper: localKeyUnwrapper(this.wrapping.privateKey),
      tokenSecrets,
      clock,
    });
    this.server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const event = toApiGatewayEvent(req, Buffer.concat(chunks), { domainName: new URL(this.baseUrl).host, requestId: randomUUID(), nowMs: clock.nowMs() });
        const path = event.rawPath;
        // A handler that throws (it should answer a 500 itself) fails the request, not the test process.
        (ApiRoute.KEY.test(path) || ApiRoute.IMAGE.test(path) ? keys(event) : api(event)).then(
          (result) => writeHandlerResult(res, result, req.method ?? 'GET'),
          (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`handler threw: ${String(err)}`),
        );
      });
    });
  }

  /** Waits until every object put through putObject has been announced by S3 and indexed. */
  async settle(): Promise<void> {
    await until('S3 events for every PUT', () => this.unannounced.size === 0, { timeoutMs: 20_000, intervalMs: 5, detail: () => [...this.unannounced.keys()] });
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async putObject(key: string, body: Uint8Array | string, contentType: string, metadata?: Record<string, string>): Promise<void> {
    // Counted before the PUT: s3rver may announce the object before it answers.
    this.unannounced.set(key, (this.unannounced.get(key) ?? 0) + 1);
    try {
      await this.s3Client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: contentType, ...(metadata ? { Metadata: metadata } : {}) }),
      );
    } catch (err) {
      this.announced(key);
      throw err;
    }
  }

  /** PUTs through putObject whose S3 event has not arrived yet, by key. */
  private readonly unannounced = new Map<string, number>();
  private announced(key: string): void {
    const n = this.unannounced.get(key);
    if (n === undefined) return;
    if (n <= 1) this.unannounced.delete(key);
    else this.unannounced.set(key, n - 1);
  }

  /** Wraps a fresh data key with the deployment's public key and uploads it; returns {keyId, key}. */
  async putDataKey(deviceId: string): Promise<{ keyId: string; key: Buffer }> {
    const key = randomBytes(16);
    const keyId = randomBytes(16).toString('hex');
    await this.putObject(wrappedKeyKey({ deviceId, keyId }), wrapDataKey(this.wrapping.publicKey, key, { deviceId, keyId }), WRAPPED_KEY_CONTENT_TYPE);
    return { keyId, key };
  }

  async putSegment(s: UploadSegment): Promise<void> {
    const container = s.meta.container ?? 'ts';
    await this.putObject(
      segmentKey({ deviceId: s.deviceId, startMs: s.meta.startMs, seq: s.meta.seq, container }),
      s.body,
      segmentContentType(container),
      toS3Metadata(s.meta),
    );
  }

  /** fMP4: uploads the (clear) init sections the segments name, once each, as the agent does before their first segment. */
  async putInitSections(deviceId: string, segments: readonly MediaSegment[]): Promise<string[]> {
    const ids: string[] = [];
    for (const s of segments) {
      if (!s.init || ids.includes(s.init.id)) continue;
      await this.putObject(initKey({ deviceId, initId: s.init.id }), s.init.bytes, INIT_CONTENT_TYPE);
      ids.push(s.init.id);
    }
    return ids;
  }

  /** Encrypts a JPEG as a camera does (AES-128-CBC, fresh IV, under `key`) and uploads it; returns its name `{tsMs}-{imageId}`. */
  async putImage(
    deviceId: string,
    tsMs: number,
    jpeg: Uint8Array,
    key: { keyId: string; key: Buffer },
    o: { eventId?: string; imageId?: string } = {},
  ): Promise<string> {
    const iv = randomBytes(16);
    const imageId = o.imageId ?? randomBytes(8).toString('hex');
    const meta = toImageS3Metadata({ tsMs, keyId: key.keyId, iv: iv.toString('hex'), ...(o.eventId ? { eventId: o.eventId } : {}) });
    await this.putObject(imageKey({ deviceId, tsMs, imageId, event: o.eventId !== undefined }), encryptSegment(jpeg, key.key, iv), IMAGE_CONTENT_TYPE, meta);
    return `${tsMs}-${imageId}`;
  }

  async putEvent(r: EventRecord): Promise<void> {
    await this.putObject(eventKey(r), serializeEventRecord(r), EVENT_CONTENT_TYPE);
  }

  /** Encrypts media-core segments as a camera would (fresh IV each) and numbers them from seq. */
  encrypt(deviceId: string, segments: readonly MediaSegment[], o: { seq: number; discSeq: number; keyId: string; key: Buffer }): UploadSegment[] {
    return segments.map((s, i) => {
      const iv = randomBytes(16);
      return {
        deviceId,
        body: encryptSegment(s.bytes, o.key, iv),
        meta: {
          startMs: s.startMs,
          durationMs: s.durationMs,
          seq: o.seq + i,
          discSeq: o.discSeq,
          keyId: o.keyId,
          iv: iv.toString('hex'),
          codecs: s.codecs,
          width: s.width,
          height: s.height,
          container: s.container ?? 'ts',
          ...(s.init ? { initId: s.init.id } : {}),
        },
      };
    });
  }

  async session(deviceId: string, body: object): Promise<SessionAnswer> {
    const res = await fetch(`${this.baseUrl}/v1/cameras/${deviceId}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`session: ${res.status} ${await res.text()}`);
    return (await res.json()) as SessionAnswer;
  }

  async text(url: string): Promise<string> {
    const res = await fetch(url);
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    return res.text();
  }

  async close(): Promise<void> {
    await this.settle();
    await new Promise<void>((r) => this.server.close(() => r()));
    this.s3Client.destroy();
    await Promise.all([this.s3.close(), this.dynamo.close()]);
  }
}
