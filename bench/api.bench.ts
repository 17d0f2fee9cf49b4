/**
 * `npm run bench:api`: concurrent LIVE viewers polling the local playback API.
 *
 * A child process runs the local stack (s3rver, dynalite, IoT provider, S3 front, the
 * Lambda handlers behind the local API server) on free ports on 127.0.0.1, uploads a
 * wrapped key and SEGMENTS segments for one camera through the S3 front with the
 * camera's own IoT credentials (the indexer fills the index from s3rver's events, as in
 * the cloud), and creates TOKENS LIVE sessions. This process then drives it with
 * autocannon: every connection is one viewer with its own session token, polling
 * GET /v1/sessions/{token}/playlist.m3u8 back to back (a closed loop, so the figures are
 * capacity, not a paced rate), at 100 and 1,000 viewers for BENCH_SECONDS each.
 *
 * The peer, measured in the same run and the same child process: a bare node:http server
 * answering the same playlist text from memory (no token check, no index query), the
 * ceiling for HTTP on this machine. The ratio camrec / peer says what the token check,
 * the index Query (dynalite) and the playlist writer cost.
 *
 * Then, in this process and one poll at a time, where a poll's time goes: the same API
 * handler over the dynalite-backed index (as local mode runs it) and over an in-memory
 * index (test/fuzz's), CPU ms per poll.
 *
 * Server and load generator are separate processes; on a 2-core machine they share the
 * cores, so read the figures as local-mode capacity, not Lambda's.
 *
 * Both targets get a 2 s warm-up at 10 connections first, not reported.
 *
 * Env: BENCH_SECONDS (default 10), BENCH_VIEWERS (default "100,1000"), BENCH_SEGMENTS
 * (default 300), BENCH_TOKENS (default 200).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadWrappingPublicKey, segmentKey, signSessionToken, toS3Metadata, toSegmentItem, wrapDataKey, wrappedKeyKey } from '../contract/index.ts';
import { createApiHandler } from '../lambda/api/create-api-handler.ts';
import { dynamoSegmentIndex } from '../lambda/index/dynamo-segment-index.ts';
import type { SegmentIndex } from '../lambda/index/segment-index.ts';
import { staticTokenSecrets } from '../lambda/token/token-secrets.ts';
import { startDynalite } from '../local/emulators/start-dynalite.ts';
import { MemorySegmentIndex } from '../test/lambda/support/memory-segment-index.ts';
import { signedFetch } from '../local/auth/signed-fetch.ts';
import { DEFAULT_ROLE_ALIAS } from '../local/iot/iot-credential-provider.ts';
import { startLocalStack } from '../local/stack/local-stack.ts';

const SELF = fileURLToPath(import.meta.url);
const CAMERA = 'bench-cam';
const SEGMENT_MS = 2000;
const SECONDS = Math.max(1, Number(process.env.BENCH_SECONDS ?? 10));
const VIEWERS = (process.env.BENCH_VIEWERS ?? '100,1000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const SEGMENTS = Math.max(1, Number(process.env.BENCH_SEGMENTS ?? 300));
const TOKENS = Math.max(1, Number(process.env.BENCH_TOKENS ?? 200));

/** What the serving child reports on its first stdout line. */
interface Ready {
  apiUrl: string;
  peerUrl: string;
  playlistPaths: string[];
  playlistBytes: number;
  indexedSegments: number;
  seedSeconds: number;
}

// ---------------------------------------------------------------- the serving child

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

async function serve(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'camrec-bench-api-'));
  const stack = await startLocalStack({ dataDir, cameras: [{ id: CAMERA, source: { kind: 'sample' } }] });
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
  for (let seq = 0; seq < SEGMENTS; seq += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, SEGMENTS - seq) }, (_, i) => {
        const n = seq + i;
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
      }),
    );
  }
  const until = Date.now() + 60_000;
  while (!keys.every((k) => indexed.has(k))) {
    if (Date.now() > until) throw new Error(`only ${keys.filter((k) => indexed.has(k)).length} of ${keys.length} segments indexed after 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  s3.destroy();
  const seedSeconds = (performance.now() - t0) / 1000;

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
  const sample = await fetch(`${info.apiUrl}${playlistPaths[0]}`);
  const text = await sample.text();
  if (sample.status !== 200 || !text.startsWith('#EXTM3U') || !text.includes(`-${SEGMENTS - 1}.ts`))
    throw new Error(`the LIVE playlist is not what the bench expects:\n${text}`);

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

  const ready: Ready = { apiUrl: info.apiUrl, peerUrl, playlistPaths, playlistBytes: Buffer.byteLength(text), indexedSegments: keys.length, seedSeconds };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  const stop = async () => {
    peer.close();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
}

// ---------------------------------------------------------------- the load generator

interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}
interface AutocannonClient {
  setRequests(reqs: { method?: string; path?: string }[]): void;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => unknown;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Row {
  viewers: number;
  target: string;
  reqPerS: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  errors: number;
}

function load(url: string, viewers: number, paths: readonly string[], seconds = SECONDS): Promise<AutocannonResult> {
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: viewers,
        duration: seconds,
        pipelining: 1,
        timeout: 10,
        setupClient: (client: AutocannonClient) => client.setRequests([{ method: 'GET', path: paths[next++ % paths.length] }]),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

const toRow = (viewers: number, target: string, r: AutocannonResult): Row => ({
  viewers,
  target,
  reqPerS: r['2xx'] / r.duration,
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  ok: r['2xx'],
  errors: r.errors + r.non2xx,
});

function startServer(): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve({ child, ready: JSON.parse(line) as Ready });
      } catch (cause) {
        reject(new Error(`the bench server printed ${line.slice(0, 200)}`, { cause }));
      }
    });
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code} before it was ready`)));
  });
}

interface PollCost {
  index: string;
  wallMs: number;
  cpuMs: number;
}

/** Sequential LIVE polls straight into the handler: the handler's own cost vs the index behind it. */
async function pollCosts(polls = 300): Promise<PollCost[]> {
  const dir = await mkdtemp(join(tmpdir(), 'camrec-bench-api-split-'));
  const dynalite = await startDynalite({ tableName: 'camrec-bench', path: join(dir, 'dynamo') });
  const ddb = dynalite.createClient();
  try {
    const now = Date.now();
    const keyId = randomBytes(16).toString('hex');
    const items = Array.from({ length: SEGMENTS }, (_, n) => {
      const startMs = now - (SEGMENTS - n) * SEGMENT_MS;
      const meta = {
        startMs,
        durationMs: SEGMENT_MS,
        seq: n,
        discSeq: 0,
        keyId,
        iv: randomBytes(16).toString('hex'),
        codecs: 'avc1.64001f,mp4a.40.2',
        width: 1280,
        height: 720,
      };
      return toSegmentItem(CAMERA, meta, segmentKey({ deviceId: CAMERA, startMs, seq: n }), 188 * 64, 30);
    });
    const dynamo = dynamoSegmentIndex(ddb, 'camrec-bench');
    for (const item of items) await dynamo.putSegment(item);
    const tokenKey = { version: 'bench-1', secret: randomBytes(32) };
    const token = signSessionToken(
      { deviceId: CAMERA, mode: 'LIVE', issuedAtSeconds: Math.floor(now / 1000), expiresAtSeconds: Math.floor(now / 1000) + 3600 },
      tokenKey,
    );
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: `/v1/sessions/${token}/playlist.m3u8`,
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: `/v1/sessions/${token}/playlist.m3u8` }, stage: '$default', domainName: '127.0.0.1', requestId: 'bench' },
    } as unknown as APIGatewayProxyEventV2;
    const out: PollCost[] = [];
    const runs: [string, SegmentIndex, number | undefined][] = [
      // liveCacheTtlMs 0: every poll reads the index (two Queries), as before the LIVE cache
      ['dynalite, no LIVE cache', dynamo, 0],
      ['in-memory, no LIVE cache', MemorySegmentIndex.holding(CAMERA, items), 0],
      ['dynalite, LIVE cache', dynamo, undefined],
    ];
    for (const [name, index, liveCacheTtlMs] of runs) {
      const handler = createApiHandler({
        ...(liveCacheTtlMs === undefined ? {} : { liveCacheTtlMs }),
        config: { targetDurationSeconds: 3, liveWindowSegments: 5, corsOrigins: ['*'], publicBaseUrl: undefined },
        index,
        presigner: { presignGet: async (key: string) => `http://127.0.0.1/${key}` },
        tokenSecrets: staticTokenSecrets([tokenKey]),
        clock: { nowMs: () => Date.now() },
      });
      for (let i = 0; i < 50; i++) await handler(event);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (let i = 0; i < polls; i++) {
        const r = await handler(event);
        if (r.statusCode !== 200) throw new Error(`the handler answered ${r.statusCode}: ${r.body}`);
      }
      const cpu = process.cpuUsage(c0);
      out.push({ index: name, wallMs: (performance.now() - t0) / polls, cpuMs: (cpu.user + cpu.system) / 1000 / polls });
    }
    return out;
  } finally {
    ddb.destroy();
    await dynalite.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));

async function main(): Promise<void> {
  process.stderr.write(`bench:api: starting the local stack and indexing ${SEGMENTS} segments ...\n`);
  const { child, ready } = await startServer();
  const rows: Row[] = [];
  try {
    // Warm-up (JIT, dynalite's LevelDB cache, keep-alive sockets), not reported.
    await load(ready.apiUrl, 10, ready.playlistPaths, 2);
    await load(ready.peerUrl, 10, ['/playlist.m3u8'], 2);
    for (const viewers of VIEWERS) {
      process.stderr.write(`bench:api: ${viewers} viewers, ${SECONDS} s each: camrec, then the peer ...\n`);
      rows.push(toRow(viewers, 'camrec LIVE playlist', await load(ready.apiUrl, viewers, ready.playlistPaths)));
      rows.push(toRow(viewers, 'peer: same bytes, bare node:http', await load(ready.peerUrl, viewers, ['/playlist.m3u8'])));
    }
  } finally {
    child.stdin!.end();
    child.kill('SIGTERM');
  }

  process.stderr.write('bench:api: sequential polls straight into the handler (dynalite vs in-memory index) ...\n');
  const costs = await pollCosts();
  const cpu = cpus();
  const out: string[] = [];
  out.push('camrec bench:api: concurrent LIVE viewers polling the local playback API (127.0.0.1)');
  out.push(
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), node ${process.version}, load avg at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  out.push(
    `index: 1 camera, ${ready.indexedSegments} segments of ${SEGMENT_MS / 1000} s uploaded through the S3 front and indexed in ${ready.seedSeconds.toFixed(1)} s; ` +
      `${ready.playlistPaths.length} LIVE session tokens (one per connection, round robin); playlist ${ready.playlistBytes} bytes; ${SECONDS} s per run, closed loop`,
  );
  out.push('');
  const header = `| ${pad('viewers', 7)} | ${pad('target', 33)} | ${pad('req/s', 8, true)} | ${pad('p50 ms', 7, true)} | ${pad('p99 ms', 7, true)} | ${pad('2xx', 8, true)} | ${pad('errors', 6, true)} | ${pad('viewers at 1 poll / 2 s', 23, true)} |`;
  out.push(header, header.replace(/[^|]/g, '-'));
  for (const r of rows) {
    out.push(
      `| ${pad(fmt(r.viewers), 7, true)} | ${pad(r.target, 33)} | ${pad(fmt(r.reqPerS), 8, true)} | ${pad(fmt(r.p50Ms), 7, true)} | ${pad(fmt(r.p99Ms), 7, true)} | ${pad(fmt(r.ok), 8, true)} | ${pad(fmt(r.errors), 6, true)} | ${pad(fmt(r.reqPerS * (SEGMENT_MS / 1000)), 23, true)} |`,
    );
  }
  out.push('');
  for (const viewers of VIEWERS) {
    const [c, p] = [
      rows.find((r) => r.viewers === viewers && r.target.startsWith('camrec'))!,
      rows.find((r) => r.viewers === viewers && r.target.startsWith('peer'))!,
    ];
    out.push(
      `ratio at ${fmt(viewers)} viewers: camrec / peer req/s = ${(c.reqPerS / p.reqPerS).toFixed(3)}; p99 camrec / peer = ${(c.p99Ms / Math.max(p.p99Ms, 1)).toFixed(1)}x`,
    );
  }
  out.push('');
  out.push('where a LIVE poll goes (this process, one poll at a time, 300 polls, the same handler):');
  for (const c of costs) out.push(`  index ${pad(c.index, 28)} ${c.wallMs.toFixed(2)} ms wall, ${c.cpuMs.toFixed(2)} ms CPU per poll`);
  out.push(`  ratio dynalite / in-memory CPU per poll (no cache) = ${(costs[0]!.cpuMs / costs[1]!.cpuMs).toFixed(0)}x`);
  out.push(`  ratio dynalite with / without the LIVE cache (min(1 s, target/4) per camera), CPU per poll = ${(costs[2]!.cpuMs / costs[0]!.cpuMs).toFixed(3)}`);
  out.push(
    'errors = connection errors + timeouts + non-2xx answers. "viewers at 1 poll / 2 s" = req/s x segment length: players poll a LIVE playlist about once per target duration.',
  );
  process.stdout.write(`${out.join('\n')}\n`);
  if (rows.some((r) => r.target.startsWith('camrec') && r.ok === 0)) process.exitCode = 1;
}

if (process.argv.includes('--serve')) {
  serve().catch((err) => {
    process.stderr.write(`bench:api server: ${(err as Error).stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(`bench:api: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
