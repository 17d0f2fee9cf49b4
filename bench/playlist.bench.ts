/**
 * `npm run bench:playlist`: indexes 24 h of 6 s segments (14,400) for one camera in
 * dynalite (in process) and measures the playback API handler, in process, over the real
 * DynamoDB index:
 *   - the 24 h ON_DEMAND playlist (p50/p99 over repeated calls), split into index query
 *     and rendering, with the DynamoDB read units it consumes, twice: from the 14,400
 *     segment items (before packing) and from packed history (24 hour items and 24 pack
 *     items, one Query per six hours), for a camera whose segment items are still there;
 *   - the LIVE playlist (p50/p99);
 *   - presigning: one segment redirect (what the segment route does per request) and
 *     14,400 presigned URLs (what a playlist with presigned URLs would cost instead).
 * dynalite runs in a child process, so the emulator's own CPU is not counted as handler time
 * (in the cloud DynamoDB runs elsewhere too).
 * Targets: 24 h of packed history under 100 ms of handler time (p50), LIVE under 15 ms at p99.
 * Kinesis Video Streams caps an HLS playlist at 5,000 fragments; one camrec playlist holds 14,400.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signSessionToken } from '../contract/index.ts';
import { createApiHandler } from '../lambda/api/create-api-handler.ts';
import { dynamoSegmentIndex } from '../lambda/index/dynamo-segment-index.ts';
import { liveWindow, rangeEntries } from '../lambda/playlist/segment-entries.ts';
import { PlaylistKind, renderMediaPlaylist } from '../lambda/playlist/render-media-playlist.ts';
import { s3ObjectStore } from '../lambda/storage/s3-object-store.ts';
import { staticTokenSecrets } from '../lambda/token/token-secrets.ts';
import { cpus, loadavg } from 'node:os';
import { createIndexTable } from '../local/emulators/start-dynalite.ts';
import { meteredDynamoClient } from './playlist/capacity-meter.ts';
import { dynaliteProcess } from './playlist/dynalite-process.ts';
import { HOUR_MS, batchWriteAll, daySegmentItems, packedDayItems } from './playlist/seed-day.ts';
import { pct, timeRuns } from './playlist/time-runs.ts';

const CAMERA = 'bench-cam';
/** The same day of footage, packed: hour and pack items (and its segment items, not yet expired). */
const PACKED_CAMERA = 'bench-cam-packed';
const SEGMENT_MS = 6000;
const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 14_400);
const ON_DEMAND_RUNS = Number(process.env.BENCH_RUNS ?? 30);
const LIVE_RUNS = 300;
const TABLE = 'camrec-bench';

const ms = (x: number) => `${x.toFixed(2)} ms`;

const dyn = await dynaliteProcess();
try {
  const metered = meteredDynamoClient(dyn.endpoint);
  const client = metered.client;
  await createIndexTable(client, TABLE);
  const doc = DynamoDBDocumentClient.from(client);
  const startMs = Date.UTC(2026, 0, 1);
  const items = daySegmentItems(CAMERA, startMs, SEGMENTS, SEGMENT_MS);
  const tSeed = performance.now();
  await batchWriteAll(doc, TABLE, items);
  // The packed camera: the same segments as one pack per hour, indexed 70 min after each hour began.
  await batchWriteAll(doc, TABLE, packedDayItems(PACKED_CAMERA, items, startMs));
  const seedMs = performance.now() - tSeed;

  const secret = { version: 'bench', secret: randomBytes(32) };
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' } });
  const store = s3ObjectStore(s3, 'camrec-bench-bucket');
  // The handlers are timed over a plain client; the metering client (it parses every answer
  // again to add up ConsumedCapacity) only serves the calls that count read units.
  const meteredIndex = dynamoSegmentIndex(client, TABLE);
  const index = dynamoSegmentIndex(
    new DynamoDBClient({ endpoint: dyn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } }),
    TABLE,
  );
  // Just after the last segment ended (a LIVE window lists only recent segments).
  const nowMs = startMs + SEGMENTS * SEGMENT_MS + 2_000;
  const config = { targetDurationSeconds: 6, liveWindowSegments: 5, corsOrigins: ['*'], publicBaseUrl: 'https://api.example.com' };
  const api = createApiHandler({ config, index, presigner: store, tokenSecrets: staticTokenSecrets([secret]), clock: { nowMs: () => nowMs } });
  // LIVE with the per-camera cache off: every poll reads the index (a cache miss).
  const apiNoCache = createApiHandler({
    config,
    index,
    presigner: store,
    tokenSecrets: staticTokenSecrets([secret]),
    clock: { nowMs: () => nowMs },
    liveCacheTtlMs: 0,
  });
  const exp = Math.floor(nowMs / 1000) + 3600;
  const iat = Math.floor(nowMs / 1000);
  const onDemand = signSessionToken(
    { deviceId: CAMERA, mode: 'ON_DEMAND', startMs, endMs: startMs + SEGMENTS * SEGMENT_MS, issuedAtSeconds: iat, expiresAtSeconds: exp },
    secret,
  );
  // A session lists the packs made before it was issued: here, the day viewed 14 h after it ended (all of it packed).
  const laterMs = nowMs + 14 * HOUR_MS;
  const apiLater = createApiHandler({ config, index, presigner: store, tokenSecrets: staticTokenSecrets([secret]), clock: { nowMs: () => laterMs } });
  const metering = (atMs: number) =>
    createApiHandler({ config, index: meteredIndex, presigner: store, tokenSecrets: staticTokenSecrets([secret]), clock: { nowMs: () => atMs } });
  const iatLater = Math.floor(laterMs / 1000);
  const expLater = iatLater + 3600;
  const dayBefore = signSessionToken(
    { deviceId: CAMERA, mode: 'ON_DEMAND', startMs, endMs: startMs + SEGMENTS * SEGMENT_MS, issuedAtSeconds: iatLater, expiresAtSeconds: expLater },
    secret,
  );
  const dayPacked = signSessionToken(
    { deviceId: PACKED_CAMERA, mode: 'ON_DEMAND', startMs, endMs: startMs + SEGMENTS * SEGMENT_MS, issuedAtSeconds: iatLater, expiresAtSeconds: expLater },
    secret,
  );
  // The same day asked for right after it ended: its last hour is not packed yet, so it comes from segment items.
  const dayRecent = signSessionToken(
    { deviceId: PACKED_CAMERA, mode: 'ON_DEMAND', startMs, endMs: startMs + SEGMENTS * SEGMENT_MS, issuedAtSeconds: iat, expiresAtSeconds: exp },
    secret,
  );
  const live = signSessionToken({ deviceId: CAMERA, mode: 'LIVE', issuedAtSeconds: iat, expiresAtSeconds: exp }, secret);
  const ev = (token: string) =>
    ({
      rawPath: `/v1/sessions/${token}/playlist.m3u8`,
      headers: {},
      requestContext: { http: { method: 'GET' }, stage: '$default' },
    }) as unknown as APIGatewayProxyEventV2;

  const first = await api(ev(onDemand));
  const lines = (first.body ?? '').split('\n').filter((l) => l.startsWith('segments/')).length;
  if (first.statusCode !== 200 || lines !== SEGMENTS) throw new Error(`24 h playlist: status ${first.statusCode}, ${lines} segments, expected ${SEGMENTS}`);
  await timeRuns(3, () => api(ev(live)));

  const { wall: odRuns, cpu: odCpu } = await timeRuns(ON_DEMAND_RUNS, () => api(ev(onDemand)));
  /** Handler times, CPU and read units per playlist of one session token on `handler`. */
  const measure = async (handler: typeof api, atMs: number, token: string, expectRanges: number) => {
    const body = (await handler(ev(token))).body ?? '';
    const ranges = (body.match(/#EXT-X-BYTERANGE/g) ?? []).length;
    const segs = body.split('\n').filter((l) => l.startsWith('segments/') || l.startsWith('packs/')).length;
    if (segs !== SEGMENTS || ranges < expectRanges)
      throw new Error(`playlist: ${segs} segments, ${ranges} byte ranges; expected ${SEGMENTS}, at least ${expectRanges}`);
    metered.reset();
    await metering(atMs)(ev(token));
    const readUnits = metered.readUnits();
    const { wall: runs, cpu } = await timeRuns(ON_DEMAND_RUNS, () => handler(ev(token)));
    return { runs, cpu, readUnits, ranges, bytes: Buffer.byteLength(body) };
  };
  const before = await measure(apiLater, laterMs, dayBefore, 0);
  const after = await measure(apiLater, laterMs, dayPacked, SEGMENTS);
  const recent = await measure(api, nowMs, dayRecent, 1);
  const { wall: queryRuns, cpu: queryCpu } = await timeRuns(ON_DEMAND_RUNS, () => index.querySegments(CAMERA, startMs - 6000, startMs + SEGMENTS * SEGMENT_MS));
  const { wall: renderRuns } = await timeRuns(ON_DEMAND_RUNS, async () =>
    renderMediaPlaylist({
      kind: PlaylistKind.VOD,
      targetDurationSeconds: 6,
      mediaSequence: 0,
      discontinuitySequence: 0,
      entries: rangeEntries(items, 6000),
      events: [],
      ended: true,
    }),
  );
  const liveLines = ((await apiNoCache(ev(live))).body ?? '').split('\n').filter((l) => l.startsWith('segments/')).length;
  if (liveLines !== config.liveWindowSegments) throw new Error(`LIVE playlist: ${liveLines} segments, expected ${config.liveWindowSegments}`);
  const { wall: liveRuns, cpu: liveCpu } = await timeRuns(LIVE_RUNS, () => apiNoCache(ev(live)));
  const { wall: liveCachedRuns } = await timeRuns(LIVE_RUNS, () => api(ev(live)));
  const { wall: liveRenderRuns } = await timeRuns(LIVE_RUNS, async () => {
    const w = liveWindow(items.slice(-10), 5);
    return renderMediaPlaylist({
      kind: PlaylistKind.LIVE,
      targetDurationSeconds: 6,
      mediaSequence: w.mediaSequence,
      discontinuitySequence: w.discontinuitySequence,
      entries: w.entries,
      events: [],
      ended: false,
    });
  });
  const { wall: presignOne } = await timeRuns(200, () => store.presignGet(items[0]!.objectKey, 300));
  const tAll = performance.now();
  for (const it of items) await store.presignGet(it.objectKey, 300);
  const presignAllMs = performance.now() - tAll;

  const bytes = Buffer.byteLength(first.body ?? '');
  const p50 = pct(odRuns, 50);
  console.log(
    `camrec bench:playlist  (${SEGMENTS} x ${SEGMENT_MS / 1000} s segments = ${(SEGMENTS * SEGMENT_MS) / 3_600_000} h, dynalite in a child process, node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores)`,
  );
  console.log(`  seeding dynalite (BatchWrite)        ${(seedMs / 1000).toFixed(1)} s`);
  console.log(
    `  24 h ON_DEMAND playlist, handler     p50 ${ms(p50)}  p99 ${ms(pct(odRuns, 99))}  (${(bytes / 1e6).toFixed(2)} MB, ${SEGMENTS} segments; target < 150 ms)`,
  );
  console.log(`    handler CPU in this process        p50 ${ms(pct(odCpu, 50))}  p99 ${ms(pct(odCpu, 99))}`);
  console.log(`    of which index query (dynalite)    p50 ${ms(pct(queryRuns, 50))}  p99 ${ms(pct(queryRuns, 99))}`);
  console.log(`      query CPU in this process        p50 ${ms(pct(queryCpu, 50))}  p99 ${ms(pct(queryCpu, 99))}`);
  console.log(`    of which render (pure core)        p50 ${ms(pct(renderRuns, 50))}  p99 ${ms(pct(renderRuns, 99))}`);
  const line = (label: string, r: typeof before) =>
    console.log(
      `  ${label.padEnd(36)} p50 ${ms(pct(r.runs, 50))}  p99 ${ms(pct(r.runs, 99))}  CPU p50 ${ms(pct(r.cpu, 50))}  ${r.readUnits} read units  (${r.ranges} byte ranges, ${(r.bytes / 1e6).toFixed(2)} MB)`,
    );
  console.log(`  24 h ON_DEMAND, viewed 14 h after the day (sessions may use packs made before they began):`);
  line('  from segment items (before)', before);
  line('  from packed hours (after)', after);
  console.log(
    `    after / before: handler p50 ${(pct(after.runs, 50) / pct(before.runs, 50)).toFixed(3)}x, read units ${(after.readUnits / before.readUnits).toFixed(3)}x (target: p50 < 100 ms)`,
  );
  line('  packed, viewed right after the day', recent);
  console.log(`    (a session lists the packs made before it was issued: the day's last hour, not packed yet, is read from segment items)`);
  console.log(`  LIVE playlist, handler, no cache     p50 ${ms(pct(liveRuns, 50))}  p99 ${ms(pct(liveRuns, 99))}  (target < 15 ms p99)`);
  console.log(`    handler CPU in this process        p50 ${ms(pct(liveCpu, 50))}  p99 ${ms(pct(liveCpu, 99))}`);
  console.log(`    of which render (pure core)        p50 ${ms(pct(liveRenderRuns, 50))}  p99 ${ms(pct(liveRenderRuns, 99))}`);
  console.log(
    `  LIVE playlist, per-camera cache hit  p50 ${ms(pct(liveCachedRuns, 50))}  p99 ${ms(pct(liveCachedRuns, 99))}  (ratio hit / miss p50 ${(pct(liveCachedRuns, 50) / pct(liveRuns, 50)).toFixed(3)})`,
  );
  console.log(`  presign one segment GET (redirect)   p50 ${ms(pct(presignOne, 50))}  p99 ${ms(pct(presignOne, 99))}`);
  console.log(
    `  presign all ${SEGMENTS} URLs inline      ${ms(presignAllMs)}  = ${(presignAllMs / p50).toFixed(1)}x the whole 24 h handler time (why segments go through the redirect route)`,
  );
  console.log(`  vs Kinesis Video Streams HLS cap     5,000 fragments per playlist; this playlist holds ${SEGMENTS} (${(SEGMENTS / 5000).toFixed(2)}x)`);
  client.destroy();
  s3.destroy();
} finally {
  dyn.close();
}
