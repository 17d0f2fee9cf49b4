import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadWrappingPublicKey, segmentKey, toS3Metadata, wrapDataKey, wrappedKeyKey } from '../../../contract/index.ts';
import { signedFetch } from '../../../local/auth/signed-fetch.ts';
import { LOCAL_JSON, startLocalStack, type LocalStack, type LocalStackInfo } from '../../../local/stack/local-stack.ts';
import { until } from '../../support/until.ts';
import { deviceCredentials } from './device-credentials.ts';

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> => until(what, fn, { timeoutMs, intervalMs: 50 });

const CAM = 'cam-1';
let dir: string;
let stack: LocalStack;
let info: LocalStackInfo;
const keyId = randomBytes(16).toString('hex');
const dataKey = randomBytes(16);
/** The uploads' start: set right before they are made, so they are live (the LIVE window keeps (5 + 1) x TARGETDURATION = 12 s of 2 s segments). */
let startMs: number;

const api = (path: string, json?: unknown) => signedFetch(`${info.apiUrl}${path}`, { credentials: info.credentials, region: info.region, json });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camrec-stack-'));
  stack = await startLocalStack({ dataDir: dir, cameras: [{ id: CAM, source: { kind: 'sample' } }] });
  info = JSON.parse(await readFile(join(dir, LOCAL_JSON), 'utf8'));
  // A camera's uploads, through the S3 front with IoT credentials.
  const { accessKeyId, secretAccessKey, sessionToken } = await deviceCredentials(stack, CAM);
  const creds = { accessKeyId, secretAccessKey, sessionToken };
  const s3 = new S3Client({
    region: info.region,
    endpoint: info.s3Endpoint,
    forcePathStyle: true,
    credentials: creds,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const publicKey = loadWrappingPublicKey(await readFile(join(dir, 'content-key', 'public.pem'), 'utf8'));
  startMs = Date.now() - 6_000;
  await s3.send(
    new PutObjectCommand({
      Bucket: info.bucket,
      Key: wrappedKeyKey({ deviceId: CAM, keyId }),
      Body: wrapDataKey(publicKey, dataKey, { deviceId: CAM, keyId }),
      IfNoneMatch: '*',
    }),
  );
  for (let seq = 0; seq < 3; seq++) {
    await s3.send(
      new PutObjectCommand({
        Bucket: info.bucket,
        Key: segmentKey({ deviceId: CAM, startMs: startMs + seq * 2000, seq }),
        Body: randomBytes(1880),
        IfNoneMatch: '*',
        ContentType: 'video/mp2t',
        Metadata: toS3Metadata({
          startMs: startMs + seq * 2000,
          durationMs: 2000,
          seq,
          discSeq: 0,
          keyId,
          iv: randomBytes(16).toString('hex'),
          codecs: 'avc1.64001f,mp4a.40.2',
          width: 1280,
          height: 720,
        }),
      }),
    );
  }
  s3.destroy();
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('camrec local stack (no agents)', () => {
  test('local.json names the API, the player and the S3 endpoint', () => {
    expect(info.playerUrl).toBe(`${info.apiUrl}/player/`);
    expect(info.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.cameras.map((c) => c.id)).toEqual([CAM]);
  });

  test('uploaded segments are indexed and listed in a LIVE playlist whose key route serves the data key', async () => {
    const res = await api(`/v1/cameras/${CAM}/sessions`, { mode: 'LIVE' });
    expect(res.status).toBe(201);
    const { playlistUrl } = (await res.json()) as { playlistUrl: string };
    expect(playlistUrl.startsWith(`${info.apiUrl}/v1/sessions/`)).toBe(true);
    const playlist = await waitFor('3 segments in the playlist', async () => {
      const text = await (await fetch(playlistUrl)).text();
      return (text.match(/#EXTINF/g) ?? []).length === 3 ? text : undefined;
    });
    expect(playlist).toContain('#EXT-X-MEDIA-SEQUENCE:0');
    const keyUri = /#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"/.exec(playlist)![1]!;
    const key = await fetch(new URL(keyUri, playlistUrl));
    expect(key.status).toBe(200);
    expect(Buffer.from(await key.arrayBuffer())).toEqual(dataKey);
    // a segment URL redirects to a presigned GET on the S3 front that serves the bytes
    const segUri = playlist.split('\n').find((l) => l && !l.startsWith('#'))!;
    const seg = await fetch(new URL(segUri, playlistUrl));
    expect(seg.status).toBe(200);
    expect((await seg.arrayBuffer()).byteLength).toBe(1880);
  });

  test('the timeline shows the recorded span', async () => {
    const q = `start=${new Date(startMs - 60_000).toISOString()}&end=${new Date(startMs + 60_000).toISOString()}`;
    const t = (await (await api(`/v1/cameras/${CAM}/timeline?${q}`)).json()) as { spans: { startMs: number; endMs: number }[] };
    expect(t.spans).toEqual([expect.objectContaining({ startMs, endMs: startMs + 6000 })]);
  });

  test('IAM routes refuse unsigned and wrongly signed requests', async () => {
    expect((await fetch(`${info.apiUrl}/v1/cameras/${CAM}/sessions`, { method: 'POST', body: '{"mode":"LIVE"}' })).status).toBe(403);
    const bad = await signedFetch(`${info.apiUrl}/v1/cameras/${CAM}/sessions`, {
      credentials: { ...info.credentials, secretAccessKey: 'wrong' },
      region: info.region,
      json: { mode: 'LIVE' },
    });
    expect(bad.status).toBe(403);
  });

  test('the player page and hls.js are served', async () => {
    const page = await fetch(info.playerUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<video id="video"');
    const hls = await fetch(`${info.playerUrl}hls.min.js`);
    expect(hls.status).toBe(200);
    expect(hls.headers.get('content-type')).toMatch(/javascript/);
    const config = (await (await fetch(`${info.apiUrl}/local/config.json`)).json()) as { apiUrl: string };
    expect(config.apiUrl).toBe(info.apiUrl);
  });

  test("/local/config.json (it holds the credentials) and the event trigger answer only this machine's own page", async () => {
    const port = new URL(info.apiUrl).port;
    const self = `127.0.0.1:${port}`;
    const ask = (method: string, path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end(method === 'POST' ? '{"type":"motion","seconds":5}' : undefined);
      });
    for (const [method, path] of [
      ['GET', '/local/config.json'],
      ['POST', `/local/cameras/${CAM}/events`],
    ] as const) {
      for (const headers of <Record<string, string>[]>[
        { host: `rebound.attacker.example:${port}` }, // DNS rebinding
        { host: self, origin: 'https://attacker.example' }, // cross-site fetch
        { host: self, origin: `http://localhost:${port}` }, // another origin, even on this machine
        { host: self, 'sec-fetch-site': 'cross-site' }, // a no-cors request from another site
      ]) {
        const r = await ask(method, path, headers);
        expect(r.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(r.body).not.toContain(info.credentials.secretAccessKey);
        expect(JSON.parse(r.body).error.code).toBe('local_only');
      }
    }
    const own = await ask('GET', '/local/config.json', { host: self, origin: `http://${self}`, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body).credentials.secretAccessKey).toBe(info.credentials.secretAccessKey);
    // This stack runs no agents: a same-origin trigger gets past the check to "no agents".
    expect((await ask('POST', `/local/cameras/${CAM}/events`, { host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(404);
  });

  test('after a restart on the same data dir the recordings are still listed', async () => {
    await stack.stop();
    stack = await startLocalStack({ dataDir: dir, cameras: [{ id: CAM, source: { kind: 'sample' } }] });
    info = JSON.parse(await readFile(join(dir, LOCAL_JSON), 'utf8'));
    const res = await api(`/v1/cameras/${CAM}/sessions`, {
      mode: 'ON_DEMAND',
      start: new Date(startMs - 1000).toISOString(),
      end: new Date(startMs + 10_000).toISOString(),
    });
    const { playlistUrl } = (await res.json()) as { playlistUrl: string };
    const text = await (await fetch(playlistUrl)).text();
    expect(text.match(/#EXTINF/g)).toHaveLength(3);
    expect(text).toContain('#EXT-X-ENDLIST');
  });
});
