import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { INIT_CONTENT_TYPE, WRAPPED_KEY_CONTENT_TYPE, initKey, segmentKey, wrapDataKey, wrappedKeyKey, type ClipRequest } from '../../../contract/index.ts';
import { encryptSegment } from '../../../device/media/encrypt/encrypt-segment.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { createApiHandler, type ApiHandler } from '../../../lambda/api/create-api-handler.ts';
import { dynamoClipSources } from '../../../lambda/clips/dynamo-clip-sources.ts';
import { createClipExporter, type ClipExportReport } from '../../../lambda/clips/export-clip.ts';
import { createDataKeyOpener } from '../../../lambda/keys/data-key-opener.ts';
import { localKeyUnwrapper } from '../../../lambda/keys/key-unwrapper.ts';
import { memoryPublisher } from '../../../lambda/notify/notification-publisher.ts';
import { s3ClipObjectStore } from '../../../lambda/storage/s3-clip-object-store.ts';
import { s3ObjectStore } from '../../../lambda/storage/s3-object-store.ts';
import { staticTokenSecrets } from '../../../lambda/token/token-secrets.ts';
import { makeMediaSegments } from '../support/fixture-media.ts';
import { BUCKET, PackingHarness, type HarnessSegment } from '../support/packing-harness.ts';

/** The pause between a camera's two recordings in `recordWithRestart`. */
export const RESTART_GAP_MS = 3000;

/** What `recordWithRestart` stored: the indexed segments, the media they came from, and the span. */
export interface Recorded {
  camera: string;
  segments: HarnessSegment[];
  media: MediaSegment[];
  startMs: number;
  endMs: number;
}

/**
 * The clip path on this machine: cameras upload real encrypted media through the local S3
 * front (write-once, x-amz-checksum-sha256 kept) into s3rver, the real indexer indexes it
 * in dynalite, the real packer packs it; the real API handler takes clip requests and the
 * real export runs in process (as local mode runs it), its MP4 multipart-uploaded to s3rver.
 */
export class ClipHarness {
  readonly wrapping = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly publisher = memoryPublisher();
  readonly exports: Promise<ClipExportReport>[] = [];
  api!: ApiHandler;
  private constructor(readonly h: PackingHarness) {}

  static async start(): Promise<ClipHarness> {
    const c = new ClipHarness(await PackingHarness.start({ packer: { drainMs: 0 } }));
    const h = c.h;
    const objects = s3ClipObjectStore(h.raw, BUCKET, { partBytes: 64 * 1024 });
    const exportClip = createClipExporter({
      sources: dynamoClipSources(h.dynamo.createClient(), 'camrec-index', h.index),
      objects,
      openDataKey: createDataKeyOpener({ store: s3ObjectStore(h.raw, BUCKET), unwrapper: localKeyUnwrapper(c.wrapping.privateKey) }),
      publisher: c.publisher,
      clock: h.clock,
    });
    c.api = createApiHandler({
      config: { targetDurationSeconds: 2, liveWindowSegments: 5, corsOrigins: ['*'], publicBaseUrl: 'http://127.0.0.1:1' },
      index: h.index,
      presigner: s3ObjectStore(h.raw, BUCKET),
      tokenSecrets: staticTokenSecrets([{ version: 't', secret: randomBytes(32) }]),
      clock: h.clock,
      clips: { objects, startExport: async (r: ClipRequest) => void c.exports.push(exportClip(r)) },
    });
    return c;
  }

  /** Wraps a data key for the camera and uploads it as the camera does. */
  async putDataKey(deviceId: string): Promise<{ keyId: string; key: Buffer }> {
    const key = randomBytes(16);
    const keyId = randomBytes(16).toString('hex');
    const body = wrapDataKey(this.wrapping.publicKey, key, { deviceId, keyId });
    await this.h.device(deviceId).send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: wrappedKeyKey({ deviceId, keyId }),
        Body: body,
        ContentType: WRAPPED_KEY_CONTENT_TYPE,
        IfNoneMatch: '*',
        ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
      }),
    );
    return { keyId, key };
  }

  /**
   * A camera records 4 s, restarts (new discontinuity sequence) RESTART_GAP_MS later and
   * records 3 s more, under one data key; `media` says how (makeMediaSegments' codec,
   * container, audio).
   */
  async recordWithRestart(
    camera: string,
    epochMs: number,
    media: { codec?: 'h264' | 'hevc'; container?: 'ts' | 'fmp4'; audio?: boolean } = {},
  ): Promise<Recorded> {
    const key = await this.putDataKey(camera);
    const a = await makeMediaSegments({ seconds: 4, epochMs, ...media });
    const aEnd = a[a.length - 1]!.startMs + a[a.length - 1]!.durationMs;
    const b = await makeMediaSegments({ seconds: 3, epochMs: aEnd + RESTART_GAP_MS, ...media });
    const segments = [...(await this.record(camera, a, { seq: 100, discSeq: 1, ...key })), ...(await this.record(camera, b, { seq: 200, discSeq: 2, ...key }))];
    const last = b[b.length - 1]!;
    return { camera, segments, media: [...a, ...b], startMs: a[0]!.startMs, endMs: last.startMs + last.durationMs };
  }

  /**
   * Encrypts media-core segments (fresh IV each) and uploads them through the front, as the
   * agent does: an fMP4 segment's clear init section first (once per id, write-once), then
   * the segment naming it; waits until indexed.
   */
  async record(deviceId: string, media: readonly MediaSegment[], o: { seq: number; discSeq: number; keyId: string; key: Buffer }): Promise<HarnessSegment[]> {
    for (const init of new Map(media.filter((s) => s.init).map((s) => [s.init!.id, s.init!])).values()) {
      const Key = initKey({ deviceId, initId: init.id });
      if (await this.h.exists(Key)) continue;
      await this.h.device(deviceId).send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key,
          Body: init.bytes,
          ContentType: INIT_CONTENT_TYPE,
          IfNoneMatch: '*',
          ChecksumSHA256: createHash('sha256').update(init.bytes).digest('base64'),
        }),
      );
    }
    const segs = media.map((s, i): HarnessSegment => {
      const iv = randomBytes(16);
      const meta = {
        startMs: s.startMs,
        durationMs: s.durationMs,
        seq: o.seq + i,
        discSeq: o.discSeq,
        keyId: o.keyId,
        iv: iv.toString('hex'),
        codecs: s.codecs,
        width: s.width,
        height: s.height,
        container: s.container,
        ...(s.init ? { initId: s.init.id } : {}),
      };
      return {
        deviceId,
        meta,
        body: Buffer.from(encryptSegment(s.bytes, o.key, iv)),
        key: segmentKey({ deviceId, startMs: s.startMs, seq: meta.seq, container: s.container }),
      };
    });
    await this.h.upload(segs);
    return segs;
  }

  /** Calls the API handler as API Gateway would (IAM already checked). */
  async call(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<{ status: number; json: any }> {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers: { host: '127.0.0.1' },
      queryStringParameters: query,
      requestContext: {
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
        requestId: 'r',
        domainName: '127.0.0.1',
        stage: '$default',
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    } as unknown as APIGatewayProxyEventV2;
    const r = await this.api(event);
    return { status: r.statusCode, json: r.body ? JSON.parse(r.body) : undefined };
  }

  /** POSTs a clip, waits for its export, and GETs it. */
  async clip(deviceId: string, startMs: number, endMs: number): Promise<any> {
    const posted = await this.call('POST', `/v1/cameras/${deviceId}/clips`, { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() });
    if (posted.status !== 202) throw new Error(`POST clip: ${posted.status} ${JSON.stringify(posted.json)}`);
    await Promise.all(this.exports);
    return (await this.call('GET', `/v1/cameras/${deviceId}/clips/${posted.json.clipId}`)).json;
  }

  async object(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.h.raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch {
      return undefined;
    }
  }

  close(): Promise<void> {
    return this.h.close();
  }
}
