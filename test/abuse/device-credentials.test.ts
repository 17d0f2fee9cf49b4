import { randomBytes } from 'node:crypto';
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventKey, segmentKey, wrappedKeyKey } from '../../contract/index.ts';
import { startAbuseStack, type AbuseStack, type DeviceCredentials, type SeededCamera } from './support/abuse-stack.ts';

/**
 * What a stolen camera can do with its credentials: camA's certificate gets temporary
 * credentials from the local IoT credential provider over mutual TLS (as the agent does),
 * and those go to the local S3 front with @aws-sdk/client-s3. Only new objects under
 * camA's own three prefixes may be written; everything else is refused, and the refused
 * writes leave the bucket as it was (checked with the service's read credentials).
 */
const CAM_A = 'camA';
const CAM_B = 'camB';
const CAM_AB = 'camAB';
let abuse: AbuseStack;
let bucket: string;
let credsA: DeviceCredentials;
let s3A: S3Client;
let reader: S3Client;
let camA: SeededCamera;
let camB: SeededCamera;
const t0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const KEY_ID = '0123456789abcdef0123456789abcdef';

/** The HTTP status and S3 error code of a command, or 200 and 'OK'. */
async function outcome(send: () => Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await send();
    return { status: 200, code: 'OK' };
  } catch (err) {
    if (err instanceof S3ServiceException) return { status: err.$metadata.httpStatusCode ?? 0, code: err.name };
    throw err;
  }
}

async function bytesOf(key: string): Promise<Buffer | undefined> {
  if (/\\|(^|\/)\.\.?(\/|$)/.test(key)) {
    // The front refuses such keys for every caller, so look for the literal key in a listing.
    const listed = await reader.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
    if (!(listed.Contents ?? []).some((o) => o.Key === key)) return undefined;
    throw new Error(`an object was stored at the unsafe key ${key}`);
  }
  try {
    const res = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  } catch (err) {
    if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return undefined;
    throw err;
  }
}

beforeAll(async () => {
  abuse = await startAbuseStack([CAM_A, CAM_B, CAM_AB]);
  const info = abuse.stack.info;
  bucket = info.bucket;
  camA = await abuse.seedCamera(CAM_A, { firstStartMs: t0, segments: 2 });
  camB = await abuse.seedCamera(CAM_B, { firstStartMs: t0, segments: 2 });
  credsA = await abuse.deviceCredentials(CAM_A);
  s3A = abuse.deviceS3(credsA);
  reader = new S3Client({
    region: info.region,
    endpoint: info.s3Endpoint,
    forcePathStyle: true,
    credentials: info.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
});
afterAll(async () => {
  reader?.destroy();
  await abuse?.stop();
});

const body = () => randomBytes(376);
const put =
  (Key: string, extra: { IfNoneMatch?: string; Bucket?: string } = { IfNoneMatch: '*' }) =>
  () =>
    s3A.send(
      new PutObjectCommand({
        Bucket: extra.Bucket ?? bucket,
        Key,
        Body: body(),
        ContentType: 'video/mp2t',
        ...(extra.IfNoneMatch ? { IfNoneMatch: extra.IfNoneMatch } : {}),
      }),
    );

describe("camA's IoT credentials at the S3 front", () => {
  test.each([
    ['a segment', () => segmentKey({ deviceId: CAM_A, startMs: t0 + 60_000, seq: 30 })],
    ['a wrapped key', () => wrappedKeyKey({ deviceId: CAM_A, keyId: 'fedcba9876543210fedcba9876543210' })],
    ['an event record', () => eventKey({ deviceId: CAM_A, startMs: t0, eventId: 'motion-1' })],
  ])('may PUT %s under its own prefix with If-None-Match: *', async (_what, key) => {
    const k = key();
    expect(await outcome(put(k))).toEqual({ status: 200, code: 'OK' });
    expect(await bytesOf(k)).toBeDefined();
  });

  const refusedPuts: [string, () => string, { IfNoneMatch?: string; Bucket?: string }, number, string][] = [
    ["a segment under camB's prefix", () => segmentKey({ deviceId: CAM_B, startMs: t0 + 90_000, seq: 9 }), { IfNoneMatch: '*' }, 403, 'AccessDenied'],
    ["a key under camB's prefix", () => wrappedKeyKey({ deviceId: CAM_B, keyId: KEY_ID }), { IfNoneMatch: '*' }, 403, 'AccessDenied'],
    ["an event under camB's prefix", () => eventKey({ deviceId: CAM_B, startMs: t0, eventId: 'e1' }), { IfNoneMatch: '*' }, 403, 'AccessDenied'],
    [
      "a segment under camAB's prefix (starts like camA's)",
      () => segmentKey({ deviceId: CAM_AB, startMs: t0, seq: 1 }),
      { IfNoneMatch: '*' },
      403,
      'AccessDenied',
    ],
    [
      "camB's existing segment (overwrite attempt)",
      () => segmentKey({ deviceId: CAM_B, startMs: camB.startsMs[0]!, seq: 0 }),
      { IfNoneMatch: '*' },
      403,
      'AccessDenied',
    ],
    [
      "camA's own existing segment with If-None-Match: * (overwrite attempt)",
      () => segmentKey({ deviceId: CAM_A, startMs: camA.startsMs[0]!, seq: 0 }),
      { IfNoneMatch: '*' },
      412,
      'PreconditionFailed',
    ],
    [
      "camA's own existing key with If-None-Match: *",
      () => wrappedKeyKey({ deviceId: CAM_A, keyId: camA.keyId }),
      { IfNoneMatch: '*' },
      412,
      'PreconditionFailed',
    ],
    ["camA's own existing segment without If-None-Match", () => segmentKey({ deviceId: CAM_A, startMs: camA.startsMs[1]!, seq: 1 }), {}, 403, 'AccessDenied'],
    ['a new own segment without If-None-Match', () => segmentKey({ deviceId: CAM_A, startMs: t0 + 120_000, seq: 60 }), {}, 403, 'AccessDenied'],
    [
      'a new own segment with If-None-Match: an ETag',
      () => segmentKey({ deviceId: CAM_A, startMs: t0 + 122_000, seq: 61 }),
      { IfNoneMatch: '"0123456789abcdef0123456789abcdef"' },
      403,
      'AccessDenied',
    ],
    ["camA's name at the bucket root", () => `${CAM_A}/x.ts`, { IfNoneMatch: '*' }, 403, 'AccessDenied'],
    ['another top folder', () => `uploads/${CAM_A}/x.ts`, { IfNoneMatch: '*' }, 403, 'AccessDenied'],
    ['the segments folder root', () => 'segments/x.ts', { IfNoneMatch: '*' }, 403, 'AccessDenied'],
    // Refused for everyone before any policy: the front never normalises a key, and camrec keys never hold dot segments or backslashes.
    [
      "dot segments out of camA's prefix into camB's",
      () => `segments/${CAM_A}/../${CAM_B}/2026/01/02/03/1767323045000-7.ts`,
      { IfNoneMatch: '*' },
      403,
      'AccessDenied',
    ],
    [
      "backslashes from camB's prefix back into camA's",
      () => `segments/${CAM_B}/x\\..\\..\\${CAM_A}/2026/01/02/03/1767323045000-7.ts`,
      { IfNoneMatch: '*' },
      403,
      'AccessDenied',
    ],
    [
      'another bucket',
      () => segmentKey({ deviceId: CAM_A, startMs: t0 + 124_000, seq: 62 }),
      { IfNoneMatch: '*', Bucket: 'someone-elses-bucket' },
      403,
      'AccessDenied',
    ],
  ];
  test.each(refusedPuts)('PUT %s is refused', async (_what, key, extra, status, code) => {
    const k = key();
    const before = await bytesOf(k);
    expect(await outcome(put(k, extra))).toEqual({ status, code });
    // the bucket is as it was: a refused write neither created nor replaced the object
    expect(await bytesOf(k)).toEqual(before);
  });

  test("camA's existing segment still holds its original bytes after the overwrite attempts", async () => {
    expect(await bytesOf(segmentKey({ deviceId: CAM_A, startMs: camA.startsMs[0]!, seq: 0 }))).toEqual(camA.bodies[0]);
    expect(await bytesOf(segmentKey({ deviceId: CAM_B, startMs: camB.startsMs[0]!, seq: 0 }))).toEqual(camB.bodies[0]);
  });

  const ownSegment = () => segmentKey({ deviceId: CAM_A, startMs: camA.startsMs[0]!, seq: 0 });
  const otherSegment = () => segmentKey({ deviceId: CAM_B, startMs: camB.startsMs[0]!, seq: 0 });
  test.each([
    ['GET its own segment', () => s3A.send(new GetObjectCommand({ Bucket: bucket, Key: ownSegment() }))],
    ["GET camB's segment", () => s3A.send(new GetObjectCommand({ Bucket: bucket, Key: otherSegment() }))],
    ['GET its own wrapped key', () => s3A.send(new GetObjectCommand({ Bucket: bucket, Key: wrappedKeyKey({ deviceId: CAM_A, keyId: camA.keyId }) }))],
    ['HEAD its own segment', () => s3A.send(new HeadObjectCommand({ Bucket: bucket, Key: ownSegment() }))],
    ['LIST the bucket', () => s3A.send(new ListObjectsV2Command({ Bucket: bucket }))],
    ['LIST its own prefix', () => s3A.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `segments/${CAM_A}/` }))],
    ['DELETE its own segment', () => s3A.send(new DeleteObjectCommand({ Bucket: bucket, Key: ownSegment() }))],
    ["DELETE camB's segment", () => s3A.send(new DeleteObjectCommand({ Bucket: bucket, Key: otherSegment() }))],
    [
      'DELETE many (DeleteObjects)',
      () => s3A.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: ownSegment() }, { Key: otherSegment() }] } })),
    ],
    [
      "COPY camB's segment into its own prefix",
      () =>
        s3A.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: segmentKey({ deviceId: CAM_A, startMs: t0 + 200_000, seq: 100 }),
            CopySource: `${bucket}/${otherSegment()}`,
            IfNoneMatch: '*',
          }),
        ),
    ],
    ['PUT an ACL on its own segment', () => s3A.send(new PutObjectAclCommand({ Bucket: bucket, Key: ownSegment(), ACL: 'public-read' }))],
    [
      'start a multipart upload',
      () => s3A.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: segmentKey({ deviceId: CAM_A, startMs: t0 + 300_000, seq: 150 }) })),
    ],
  ])('%s is refused with 403', async (_what, send) => {
    expect((await outcome(send)).status).toBe(403);
  });

  test('after all that, both cameras still have every segment they uploaded, byte for byte', async () => {
    for (const cam of [camA, camB]) {
      for (const [seq, startMs] of cam.startsMs.entries()) expect(await bytesOf(segmentKey({ deviceId: cam.id, startMs, seq }))).toEqual(cam.bodies[seq]);
    }
    expect(await bytesOf(segmentKey({ deviceId: CAM_A, startMs: t0 + 200_000, seq: 100 }))).toBeUndefined();
  });

  test("camA's credentials without their session token, or with camB's, are refused", async () => {
    const credsB = await abuse.deviceCredentials(CAM_B);
    const key = segmentKey({ deviceId: CAM_A, startMs: t0 + 400_000, seq: 200 });
    const noToken = abuse.deviceS3({ accessKeyId: credsA.accessKeyId, secretAccessKey: credsA.secretAccessKey, sessionToken: '' });
    const wrongToken = abuse.deviceS3({ ...credsA, sessionToken: credsB.sessionToken });
    for (const client of [noToken, wrongToken]) {
      const o = await outcome(() => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body(), IfNoneMatch: '*' })));
      expect(o.status).toBeGreaterThanOrEqual(400);
      expect(o.status).toBeLessThan(500);
    }
    expect(await bytesOf(key)).toBeUndefined();
  });
});
