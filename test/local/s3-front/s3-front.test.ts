import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { segmentKey, wrappedKeyKey } from '../../../contract/index.ts';
import { EMULATOR_REGION } from '../../../local/emulators/start-s3rver.ts';
import { CredentialRegistry, type RegisteredCredentials } from '../../../local/iot/credential-registry.ts';
import { LOCAL_THING_TYPE } from '../../../local/iot/iot-credential-provider.ts';
import { startS3Front, type S3Front } from '../../../local/s3-front/s3-front-server.ts';
import { withFrontChecksums } from '../../../local/s3-front/front-checksum.ts';
import { s3ObjectStore } from '../../../lambda/storage/s3-object-store.ts';
import { createHash } from 'node:crypto';
import { startS3rverFixture, type S3rverFixture } from '../../support/s3rver-fixture.ts';

const BUCKET = 'camrec-test';
let clock = Date.now();
const registry = new CredentialRegistry(() => clock);
let s3rver: S3rverFixture;
let front: S3Front;

function client(creds: RegisteredCredentials, extra: Partial<ConstructorParameters<typeof S3Client>[0]> = {}): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: front.endpoint,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken || undefined },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    ...extra,
  });
}

async function s3Error(p: Promise<unknown>): Promise<{ status: number | undefined; code: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof S3ServiceException) return { status: err.$metadata.httpStatusCode, code: err.name };
    throw err;
  }
  throw new Error('expected the request to fail');
}

/** A PUT of `path` exactly as written (no URL normalisation), SigV4-signed for it, with If-None-Match: *. */
async function signedRawPut(
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
  path: string,
  body: string,
): Promise<{ status: number; text: string }> {
  const endpoint = new URL(front.endpoint);
  const signer = new SignatureV4({ service: 's3', region: EMULATOR_REGION, credentials: creds, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'PUT',
      protocol: 'http:',
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path,
      headers: { host: endpoint.host, 'if-none-match': '*', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      body,
    }),
    { signingDate: new Date(clock) },
  );
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: endpoint.hostname, port: endpoint.port, method: 'PUT', path, headers: signed.headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

const segKey = (thing: string, seq: number) => segmentKey({ deviceId: thing, startMs: 1_760_000_000_000 + seq * 2000, seq });

beforeAll(async () => {
  s3rver = await startS3rverFixture(BUCKET);
  front = await startS3Front({ upstream: s3rver.endpoint, bucket: BUCKET, registry, now: () => clock });
});
afterAll(async () => {
  await front.stop();
  await s3rver.close();
});

describe('local S3 front', () => {
  const cam1 = registry.issueDevice({ thingName: 'cam-1', thingTypeName: LOCAL_THING_TYPE }, 900);
  const service = registry.issueService('playback');

  test('a device writes once under its own prefix; the service reads back the same bytes and metadata', async () => {
    const key = segKey('cam-1', 1);
    const body = Buffer.from('segment bytes \x00\x01\x02');
    await client(cam1).send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, IfNoneMatch: '*', ContentType: 'video/mp2t', Metadata: { seq: '1' } }),
    );
    const got = await client(service).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    expect(got.Metadata).toMatchObject({ seq: '1' });
    expect(got.ContentType).toBe('video/mp2t');
  });

  test('a request signed for another region is refused as S3 does (AuthorizationHeaderMalformed) and writes nothing', async () => {
    const key = segKey('cam-1', 7);
    const wrongRegion = client(cam1, { region: 'eu-central-1' });
    expect(await s3Error(wrongRegion.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x', IfNoneMatch: '*' })))).toEqual({
      status: 400,
      code: 'AuthorizationHeaderMalformed',
    });
    expect(await s3Error(client(service).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).toMatchObject({ status: 404 });
  });

  test('a second PUT of the same key with If-None-Match: * gets 412 and leaves the first object', async () => {
    const key = wrappedKeyKey({ deviceId: 'cam-1', keyId: 'a'.repeat(32) });
    await client(cam1).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'first', IfNoneMatch: '*' }));
    expect(await s3Error(client(cam1).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'second', IfNoneMatch: '*' })))).toEqual({
      status: 412,
      code: 'PreconditionFailed',
    });
    const got = await client(service).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await got.Body!.transformToString()).toBe('first');
  });

  test('racing conditional PUTs to one key: exactly one wins', async () => {
    const key = segKey('cam-1', 99);
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => client(cam1).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `writer ${i}`, IfNoneMatch: '*' }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  test('a device may not write under another device, nor without If-None-Match, nor read, list or delete', async () => {
    const c = client(cam1);
    const denied = { status: 403, code: 'AccessDenied' };
    expect(await s3Error(c.send(new PutObjectCommand({ Bucket: BUCKET, Key: segKey('cam-2', 1), Body: 'x', IfNoneMatch: '*' })))).toEqual(denied);
    expect(await s3Error(c.send(new PutObjectCommand({ Bucket: BUCKET, Key: segKey('cam-1', 2), Body: 'x' })))).toEqual(denied);
    expect(await s3Error(c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other/cam-1/x', Body: 'x', IfNoneMatch: '*' })))).toEqual(denied);
    expect(await s3Error(c.send(new GetObjectCommand({ Bucket: BUCKET, Key: segKey('cam-1', 1) })))).toEqual(denied);
    expect(await s3Error(c.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'segments/cam-1/' })))).toEqual(denied);
    expect(await s3Error(c.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: segKey('cam-1', 1) })))).toEqual(denied);
    // still there
    await client(service).send(new HeadObjectCommand({ Bucket: BUCKET, Key: segKey('cam-1', 1) }));
  });

  test('credentials issued without a thing name may do nothing', async () => {
    const anon = registry.issueDevice(undefined, 900);
    expect(await s3Error(client(anon).send(new PutObjectCommand({ Bucket: BUCKET, Key: segKey('cam-1', 3), Body: 'x', IfNoneMatch: '*' })))).toEqual({
      status: 403,
      code: 'AccessDenied',
    });
  });

  test('a wrong secret gets SignatureDoesNotMatch; an unknown key InvalidAccessKeyId; a missing token InvalidToken', async () => {
    expect(
      await s3Error(
        client({ ...cam1, secretAccessKey: 'x'.repeat(40) }).send(
          new PutObjectCommand({ Bucket: BUCKET, Key: segKey('cam-1', 4), Body: 'x', IfNoneMatch: '*' }),
        ),
      ),
    ).toEqual({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(
      await s3Error(
        client({ ...cam1, accessKeyId: 'ASIAUNKNOWNUNKNOWN12' }).send(
          new PutObjectCommand({ Bucket: BUCKET, Key: segKey('cam-1', 4), Body: 'x', IfNoneMatch: '*' }),
        ),
      ),
    ).toEqual({ status: 403, code: 'InvalidAccessKeyId' });
    expect(
      await s3Error(client({ ...cam1, sessionToken: '' }).send(new PutObjectCommand({ Bucket: BUCKET, Key: segKey('cam-1', 4), Body: 'x', IfNoneMatch: '*' }))),
    ).toEqual({ status: 400, code: 'InvalidToken' });
  });

  test('expired device credentials get 400 ExpiredToken', async () => {
    const shortLived = registry.issueDevice({ thingName: 'cam-1', thingTypeName: LOCAL_THING_TYPE }, 60);
    const saved = clock;
    clock += 61_000;
    try {
      expect(
        await s3Error(
          client(shortLived, { systemClockOffset: clock - Date.now() }).send(
            new PutObjectCommand({ Bucket: BUCKET, Key: segKey('cam-1', 5), Body: 'x', IfNoneMatch: '*' }),
          ),
        ),
      ).toEqual({ status: 400, code: 'ExpiredToken' });
    } finally {
      clock = saved;
    }
  });

  test('the SDK default (streaming aws-chunked with a trailing checksum) stores the plain bytes', async () => {
    const key = segKey('cam-1', 6);
    const body = Buffer.alloc(70_000, 7);
    await client(cam1, { requestChecksumCalculation: 'WHEN_SUPPORTED' }).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, IfNoneMatch: '*' }));
    const got = await client(service).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
  });

  test('a presigned GET made with the service credentials works from a plain fetch, with CORS', async () => {
    const url = await getSignedUrl(client(service), new GetObjectCommand({ Bucket: BUCKET, Key: segKey('cam-1', 1) }), { expiresIn: 600 });
    const res = await fetch(url, { headers: { origin: 'http://player.local' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('segment bytes \x00\x01\x02');
    const tampered = await fetch(url.replace(/seq|\d-1\.ts/, (m) => m.replace('1', '2')));
    expect(tampered.status).toBe(403);
  });

  test('a thing of another type may write nothing, not even under its own prefix (credentials-iot:ThingTypeName)', async () => {
    const thermostat = registry.issueDevice({ thingName: 'cam-1', thingTypeName: 'thermostat' }, 900);
    const key = segKey('cam-1', 31);
    const err = await s3Error(client(thermostat).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x', IfNoneMatch: '*' })));
    expect(err).toEqual({ status: 403, code: 'AccessDenied' });
    expect(await s3Error(client(service).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).toMatchObject({ status: 404 });
  });

  test.each([
    ['backslash traversal', 'segments/cam-2/x\\..\\..\\cam-1/y.ts'],
    ['percent-encoded backslashes', 'segments/cam-2/x%5C..%5C..%5Ccam-1/y.ts'],
    ['percent-encoded dot segments', 'segments/cam-1/%2E%2E/cam-2/y.ts'],
    ['plain dot segments', 'segments/cam-1/../cam-2/y.ts'],
  ])("%s cannot put cam-1's bytes under cam-2's prefix: refused, and nothing is stored", async (_, rawKey) => {
    // Raw HTTP, signed by the SDK's signer for the exact path sent (the SDK itself would normalise nothing either).
    const path = `/${BUCKET}/${rawKey}`;
    const res = await signedRawPut(cam1, path, 'evil');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const listed = await client(service).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'segments/cam-2/' }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([]);
  });

  test('x-amz-checksum-sha256: a body that does not match it is refused (400 BadDigest, nothing stored); a matching one is kept and returned as S3 does', async () => {
    const key = segKey('cam-1', 11);
    const body = Buffer.from('segment with a checksum');
    const wrong = createHash('sha256').update('other bytes').digest('base64');
    expect(await s3Error(client(cam1).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, IfNoneMatch: '*', ChecksumSHA256: wrong })))).toEqual({
      status: 400,
      code: 'BadDigest',
    });
    expect(await s3Error(client(service).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).toMatchObject({ status: 404 });
    const right = createHash('sha256').update(body).digest('base64');
    await client(cam1).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, IfNoneMatch: '*', ChecksumSHA256: right }));
    const head = await client(service).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumSHA256).toBe(right);
    // Kept beside the object, never shown as user metadata, and only on request (as S3).
    expect(Object.keys(head.Metadata ?? {})).toEqual([]);
    expect((await client(service).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ChecksumSHA256).toBeUndefined();
    // Local code that reads s3rver directly sees it through withFrontChecksums, as the indexer does in the cloud.
    const direct = withFrontChecksums(
      s3ObjectStore(
        new S3Client({
          region: 'us-east-1',
          endpoint: s3rver.endpoint,
          forcePathStyle: true,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        }),
        BUCKET,
      ),
    );
    expect(await direct.head(key)).toMatchObject({ checksumSha256: right, metadata: {} });
  });

  test('a GET presigned with a Range header (as the pack route makes them) fetches that range and nothing else', async () => {
    const url = await s3ObjectStore(client(service), BUCKET).presignGet(segKey('cam-1', 1), 600, 'bytes=2-5');
    expect(url).toContain('X-Amz-SignedHeaders=host%3Brange');
    const res = await fetch(url, { headers: { range: 'bytes=2-5' } });
    expect(res.status).toBe(206);
    expect(await res.text()).toBe('gmen');
    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(url, { headers: { range: 'bytes=0-99' } })).status).toBe(403);
  });

  test('an unsigned request is refused with S3 error XML', async () => {
    const res = await fetch(`${front.endpoint}/${BUCKET}/${segKey('cam-1', 1)}`);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/<Code>AccessDenied<\/Code>/);
  });
});

describe('a local S3 front that starts before s3rver (camrec local starts its cameras first)', () => {
  const cam1 = registry.issueDevice({ thingName: 'cam-1', thingTypeName: LOCAL_THING_TYPE }, 900);
  const service = registry.issueService('playback');

  test('a device PUT that arrives while s3rver is still starting waits for it and is stored', async () => {
    let upstreamUp!: (endpoint: string) => void;
    const early = await startS3Front({ upstream: new Promise<string>((r) => (upstreamUp = r)), bucket: BUCKET, registry, now: () => clock });
    try {
      const key = segKey('cam-1', 501);
      const cam = new S3Client({
        region: 'us-east-1',
        endpoint: early.endpoint,
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: { accessKeyId: cam1.accessKeyId, secretAccessKey: cam1.secretAccessKey, sessionToken: cam1.sessionToken || undefined },
        requestChecksumCalculation: 'WHEN_REQUIRED',
      });
      let settled = false;
      const put = cam.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'first segment', IfNoneMatch: '*' })).finally(() => (settled = true));
      // s3rver is not there yet: the object cannot be stored and the PUT has not been answered
      expect(await s3Error(client(service).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).toMatchObject({ status: 404 });
      expect(settled).toBe(false);
      upstreamUp(s3rver.endpoint);
      await put;
      const got = await client(service).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(await got.Body!.transformToString()).toBe('first segment');
    } finally {
      await early.stop();
    }
  });

  test('if s3rver could not start, a device PUT is answered 503 ServiceUnavailable and stores nothing', async () => {
    const failed = await startS3Front({ upstream: Promise.reject(new Error('s3rver: port in use')), bucket: BUCKET, registry, now: () => clock });
    try {
      const key = segKey('cam-1', 502);
      const cam = new S3Client({
        region: 'us-east-1',
        endpoint: failed.endpoint,
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: { accessKeyId: cam1.accessKeyId, secretAccessKey: cam1.secretAccessKey, sessionToken: cam1.sessionToken || undefined },
        requestChecksumCalculation: 'WHEN_REQUIRED',
      });
      expect(await s3Error(cam.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x', IfNoneMatch: '*' })))).toEqual({
        status: 503,
        code: 'ServiceUnavailable',
      });
      expect(await s3Error(client(service).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).toMatchObject({ status: 404 });
    } finally {
      await failed.stop();
    }
  });
});
