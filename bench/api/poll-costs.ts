import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { segmentKey, signSessionToken, targetDurationSeconds, toSegmentItem } from '../../contract/index.ts';
import { createApiHandler } from '../../lambda/api/create-api-handler.ts';
import { dynamoSegmentIndex } from '../../lambda/index/dynamo-segment-index.ts';
import type { SegmentIndex } from '../../lambda/index/segment-index.ts';
import { staticTokenSecrets } from '../../lambda/token/token-secrets.ts';
import { startDynalite } from '../../local/emulators/start-dynalite.ts';
import { MemorySegmentIndex } from '../../test/lambda/support/memory-segment-index.ts';
import { CAMERA, LIVE_WINDOW_SEGMENTS, SEGMENT_MS, SEGMENTS } from './api-bench-options.ts';
import { liveWindowProblem } from './live-tail.ts';

export interface PollCost {
  index: string;
  wallMs: number;
  cpuMs: number;
}

/** Sequential LIVE polls straight into the handler: the handler's own cost vs the index behind it. */
export async function pollCosts(polls = 300): Promise<PollCost[]> {
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
    // The handler's clock stands at the newest segment's end: every poll reads the same full LIVE
    // window however long the puts and polls take on a loaded machine (live-tail.ts); with the
    // LIVE cache, one load and then hits, as polls within one cache lifetime are.
    const clock = { nowMs: () => now };
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
        config: {
          targetDurationSeconds: targetDurationSeconds(SEGMENT_MS / 1000),
          liveWindowSegments: LIVE_WINDOW_SEGMENTS,
          corsOrigins: ['*'],
          publicBaseUrl: undefined,
        },
        index,
        presigner: { presignGet: async (key: string) => `http://127.0.0.1/${key}` },
        tokenSecrets: staticTokenSecrets([tokenKey]),
        clock,
      });
      for (let i = 0; i < 50; i++) await handler(event);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let body = '';
      for (let i = 0; i < polls; i++) {
        const r = await handler(event);
        if (r.statusCode !== 200) throw new Error(`the handler answered ${r.statusCode}: ${r.body}`);
        body = r.body ?? '';
      }
      const cpu = process.cpuUsage(c0);
      const problem = liveWindowProblem(body, LIVE_WINDOW_SEGMENTS, SEGMENTS - 1);
      if (problem) throw new Error(`${name}: the last poll's LIVE playlist is not what the bench measures (${problem}):\n${body}`);
      out.push({ index: name, wallMs: (performance.now() - t0) / polls, cpuMs: (cpu.user + cpu.system) / 1000 / polls });
    }
    return out;
  } finally {
    ddb.destroy();
    await dynalite.close();
    await rm(dir, { recursive: true, force: true });
  }
}
