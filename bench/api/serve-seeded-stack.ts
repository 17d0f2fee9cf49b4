import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadWrappingPublicKey, segmentKey, toS3Metadata, wrapDataKey, wrappedKeyKey } from '../../contract/index.ts';
import { signedFetch } from '../../local/auth/signed-fetch.ts';
import { DEFAULT_ROLE_ALIAS } from '../../local/iot/iot-credential-provider.ts';
import { startLocalStack } from '../../local/stack/local-stack.ts';
import { CAMERA, LIVE_WINDOW_SEGMENTS, SEGMENT_MS, SEGMENTS, TOKENS, type Ready } from './api-bench-options.ts';
import { liveWindowProblem, segmentsDue } from './live-tail.ts';

/**
 * bench:api's serving child: the local stack seeded with one camera's SEGMENTS segments
 * (uploaded through the S3 front with the camera's IoT credentials, indexed from s3rver's
 * events), the camera then recording on (a segment every SEGMENT_MS, live-tail.ts), and
 * TOKENS LIVE sessions, plus the peer (a bare node:http server answering the
 * same playlist bytes). Prints `Ready` as one JSON line, then serves until stdin ends or
 * SIGTERM.
 */
async function deviceCredentials(
  endpoint: string,
  ca: string,
  cert: string,
  key: string,
  thing: string,
): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${endpoint}/role-aliases/${DEFAULT_ROLE_ALIAS}/credentials`,
      { ca, cert, key, headers: { 'x-amzn-iot-thingname': thing }, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`IoT provider: ${res.statusCode} ${body}`));
          const c = JSON.parse(body).credentials as { accessKeyId: string; secretAccessKey: string; sessionToken: string };
          resolve({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export async function serve(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'camrec-bench-api-'));
  // No runCamera: no agent records here; the camera's certificate is made, and this process uploads its segments.
  const stack = await startLocalStack({ dataDir, cameras: [{ id: CAMERA, source: { kind: 'sample' } }], liveWindowSegments: LIVE_WINDOW_SEGMENTS });
  const info = stack.info;
  const t0 = performance.now();
  const dev = stack.pki.devices.get(CAMERA)!;
  const creds = await deviceCredentials(stack.iot.endpoint, stack.pki.ca.certPem, dev.certPem, dev.keyPem, CAMERA);
  const s3 = new S3Client({
    region: info.region,
    endpoint: info.s3Endpoint,
    forcePathStyle: true,
    credentials: creds,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const publicKey = loadWrappingPublicKey(await readFile(join(dataDir, 'content-key', 'public.pem'), 'utf8'));
  const keyId = randomBytes(16).toString('hex');
  await s3.send(
    new PutObjectCommand({
      Bucket: info.bucket,
      Key: wrappedKeyKey({ deviceId: CAMERA, keyId }),
      Body: wrapDataKey(publicKey, randomBytes(16), { deviceId: CAMERA, keyId }),
      IfNoneMatch: '*',
    }),
  );

  // SEGMENTS segments of 2 s ending now, one discontinuity in the middle, as an agent writes them.
  const indexed = new Set<string>();
  stack.onIndexed((k) => indexed.add(k));
  const firstMs = Date.now() - SEGMENTS * SEGMENT_MS;
  const keys: string[] = [];
  const body = randomBytes(188 * 64);
  const put = (n: number) => {
    const startMs = firstMs + n * SEGMENT_MS;
    const key = segmentKey({ deviceId: CAMERA, startMs, seq: n });
    keys.push(key);
    return s3.send(
      new PutObjectCommand({
        Bucket: info.bucket,
        Key: key,
        Body: body,
        IfNoneMatch: '*',
        ContentType: 'video/mp2t',
        Metadata: toS3Metadata({
          startMs,
          durationMs: SEGMENT_MS,
          seq: n,
          discSeq: n < SEGMENTS / 2 ? 0 : 1,
          keyId,
          iv: randomBytes(16).toString('hex'),
          codecs: 'avc1.64001f,mp4a.40.2',
          width: 1280,
          height: 720,
        }),
      }),
    );
  };
  for (let seq = 0; seq < SEGMENTS; seq += 8) await Promise.all(Array.from({ length: Math.min(8, SEGMENTS - seq) }, (_, i) => put(seq + i)));
  // The camera records on (live-tail.ts): each segment is uploaded once it has ended, the ones
  // that ended while the history went in first, so the LIVE window stays full and fresh
  // however long seeding, the sessions and the runs take.
  let next = SEGMENTS;
  let feeding = Promise.resolve();
  /** Uploads the segments that have ended, one call after the other (a segment is written once). */
  const putDue = (): Promise<void> => {
    const run = feeding.then(async () => {
      for (const n of segmentsDue(firstMs, next, Date.now())) {
        await put(n);
        next = n + 1;
      }
    });
    feeding = run.catch((err: Error) => void process.stderr.write(`bench:api server: the live camera's upload failed: ${err.message}\n`));
    return run;
  };
  await putDue();
  const allIndexed = async (what: string) => {
    const until = Date.now() + 60_000;
    while (!keys.every((k) => indexed.has(k))) {
      if (Date.now() > until) throw new Error(`only ${keys.filter((k) => indexed.has(k)).length} of ${keys.length} ${what} indexed after 60 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await allIndexed('segments');
  const seedSeconds = (performance.now() - t0) / 1000;
  const feed = setInterval(() => void putDue().catch(() => {}), SEGMENT_MS / 4); // failures: logged by putDue

  const playlistPaths: string[] = [];
  for (let i = 0; i < TOKENS; i++) {
    const res = await signedFetch(`${info.apiUrl}/v1/cameras/${CAMERA}/sessions`, {
      credentials: info.credentials,
      region: info.region,
      json: { mode: 'LIVE', expiresInSeconds: 3600 },
    });
    if (res.status !== 201) throw new Error(`session request answered ${res.status}: ${await res.text()}`);
    playlistPaths.push(new URL(((await res.json()) as { playlistUrl: string }).playlistUrl).pathname);
  }
  // What the LIVE playlist lists now, once what the camera uploaded meanwhile is indexed.
  await putDue();
  const newestSeq = next - 1;
  await allIndexed('segments');
  const sample = await fetch(`${info.apiUrl}${playlistPaths[0]}`);
  const text = await sample.text();
  const problem = sample.status === 200 ? liveWindowProblem(text, LIVE_WINDOW_SEGMENTS, newestSeq) : `status ${sample.status}`;
  if (problem) throw new Error(`the LIVE playlist is not what the bench expects (${problem}):\n${text}`);

  // The peer: the same bytes from a bare node:http server.
  const peer = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/vnd.apple.mpegurl',
      'cache-control': 'private, max-age=1',
      'access-control-allow-origin': '*',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  });
  peer.keepAliveTimeout = 5_000;
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
  const peerUrl = `http://127.0.0.1:${(peer.address() as { port: number }).port}`;

  const ready: Ready = {
    apiUrl: info.apiUrl,
    peerUrl,
    playlistPaths,
    playlistBytes: Buffer.byteLength(text),
    indexedSegments: keys.length,
    newestSeq,
    seedSeconds,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  // Once, for SIGTERM and the end of stdin alike (the bench sends both); rm retries while the stack's last writes land.
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(feed);
    await feeding;
    s3.destroy();
    peer.close();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
}
