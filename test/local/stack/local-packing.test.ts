import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parse, types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { segmentKey, toS3Metadata, toSegmentItem } from '../../../contract/index.ts';
import { signedFetch } from '../../../local/auth/signed-fetch.ts';
import { emulatorS3Client } from '../../../local/emulators/start-s3rver.ts';
import { startDynalite } from '../../../local/emulators/start-dynalite.ts';
import { LEGACY_LOCAL_TABLE, LOCAL_TABLE, startLocalStack, type LocalStack } from '../../../local/stack/local-stack.ts';
import { until } from '../../support/until.ts';
import { deviceCredentials } from './device-credentials.ts';

const CAM = 'cam-1';
const PERIOD_MS = 4000;
let dir: string;
let stack: LocalStack;
const bodies = new Map<number, Buffer>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camrec-local-pack-'));
  // A data dir from before packed history: its index table has no open-hours index.
  const old = await startDynalite({ tableName: LEGACY_LOCAL_TABLE, path: join(dir, 'dynamo') });
  const legacyDdb = old.createClient();
  const legacy = toSegmentItem(
    'cam-old',
    {
      startMs: 1_700_000_000_000,
      durationMs: 2000,
      seq: 1,
      discSeq: 0,
      keyId: 'ab'.repeat(16),
      iv: '00'.repeat(16),
      codecs: 'avc1.64001f',
      width: 2,
      height: 2,
    },
    'k',
    10,
    30,
  );
  await DynamoDBDocumentClient.from(legacyDdb).send(new PutCommand({ TableName: LEGACY_LOCAL_TABLE, Item: legacy }));
  legacyDdb.destroy();
  await old.close();

  stack = await startLocalStack({
    dataDir: dir,
    cameras: [{ id: CAM, source: { kind: 'sample' } }],
    packing: { periodMs: PERIOD_MS, graceMs: 1000, drainMs: 0, sweepMs: 250 },
  });
  const { accessKeyId, secretAccessKey, sessionToken } = await deviceCredentials(stack, CAM);
  const creds = { accessKeyId, secretAccessKey, sessionToken };
  const s3 = new S3Client({
    region: stack.info.region,
    endpoint: stack.info.s3Endpoint,
    forcePathStyle: true,
    credentials: creds,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  // Two periods in the past (due at once), one segment per second, uploaded as a camera does.
  const t0 = Math.floor((Date.now() - 30_000) / PERIOD_MS) * PERIOD_MS;
  for (let seq = 0; seq < 8; seq++) {
    const startMs = t0 + seq * 1000;
    const body = randomBytes(1880 + seq * 188);
    bodies.set(startMs, body);
    await s3.send(
      new PutObjectCommand({
        Bucket: stack.info.bucket,
        Key: segmentKey({ deviceId: CAM, startMs, seq }),
        Body: body,
        IfNoneMatch: '*',
        ContentType: 'video/mp2t',
        ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
        Metadata: toS3Metadata({
          startMs,
          durationMs: 1000,
          seq,
          discSeq: 0,
          keyId: 'cd'.repeat(16),
          iv: randomBytes(16).toString('hex'),
          codecs: 'avc1.64001f,mp4a.40.2',
          width: 640,
          height: 360,
        }),
      }),
    );
  }
  s3.destroy();
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('camrec local packs history on a timer, as the cloud does', () => {
  test('moves a data dir from before packing to the table with the open-hours index, keeping its items', async () => {
    const page = await signedFetch(`${stack.info.apiUrl}/v1/cameras/cam-old/timeline?start=2023-11-14T22:00:00Z&end=2023-11-14T23:00:00Z`, {
      credentials: stack.info.credentials,
      region: stack.info.region,
    });
    expect(((await page.json()) as { spans: { segments: number }[] }).spans).toEqual([expect.objectContaining({ segments: 1 })]);
    expect(stack.info.tableName).toBe(LOCAL_TABLE);
  });

  test('the sweep packs both past periods; the playlist lists them as byte ranges that read back as the uploads, and the hot copies are gone', async () => {
    const first = Math.min(...bodies.keys());
    // A session lists the packs made before it was issued: ask for a new one until it lists both.
    let playlistUrl = '';
    const text = await until('both periods packed', async () => {
      const res = await signedFetch(`${stack.info.apiUrl}/v1/cameras/${CAM}/sessions`, {
        credentials: stack.info.credentials,
        region: stack.info.region,
        json: { mode: 'ON_DEMAND', start: new Date(first).toISOString(), end: new Date(first + 8000).toISOString() },
      });
      ({ playlistUrl } = (await res.json()) as { playlistUrl: string });
      const t = await (await fetch(playlistUrl)).text();
      return (t.match(/#EXT-X-BYTERANGE/g) ?? []).length === 8 && t;
    });
    expect(text).toContain('#EXT-X-VERSION:4');
    const pl = parse(text) as types.MediaPlaylist;
    expect(new Set(pl.segments.map((s) => s.uri)).size).toBe(2);
    const base = playlistUrl.replace(/playlist\.m3u8$/, '');
    for (const s of pl.segments) {
      const range = `bytes=${s.byterange!.offset}-${s.byterange!.offset + s.byterange!.length - 1}`;
      // As a player does: the API's 302, then the presigned S3 front URL, both with the Range header.
      const got = await fetch(`${base}${s.uri}`, { headers: { range } });
      expect(got.status).toBe(206);
      expect(Buffer.from(await got.arrayBuffer()).equals(bodies.get(s.programDateTime!.getTime())!)).toBe(true);
    }
    const raw = emulatorS3Client(stack.s3rverEndpoint);
    const head = (key: string) =>
      raw.send(new HeadObjectCommand({ Bucket: stack.info.bucket, Key: key })).then(
        () => true,
        () => false,
      );
    for (const [startMs] of bodies) expect(await head(segmentKey({ deviceId: CAM, startMs, seq: (startMs - first) / 1000 }))).toBe(false);
    raw.destroy();
    // Nothing left to do: a sweep now finds no due hour.
    expect(await stack.compactNow()).toMatchObject({ due: 0 });
  });
});
