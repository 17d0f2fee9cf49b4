import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, test } from 'vitest';
import { signSessionToken, toSegmentItem } from '../../../contract/index.ts';
import { createApiHandler } from '../../../lambda/api/create-api-handler.ts';
import type { SegmentIndex } from '../../../lambda/index/segment-index.ts';
import type { SessionPlaylist } from '../../../lambda/playlist/build-session-playlist.ts';
import { createLivePlaylistCache, liveCacheTtlMs } from '../../../lambda/playlist/live-playlist-cache.ts';
import { staticTokenSecrets } from '../../../lambda/token/token-secrets.ts';
import { MemorySegmentIndex } from '../support/memory-segment-index.ts';

const T0 = Date.UTC(2026, 0, 2, 12, 0, 0);
const SEG_MS = 6000;
const SECRET = randomBytes(32);
const config = { targetDurationSeconds: 8, liveWindowSegments: 5, corsOrigins: ['*'], publicBaseUrl: 'https://api.example.com' };

const playlist = (body: string): SessionPlaylist => ({ kind: 'LIVE', body, entryCount: 1 });

describe('liveCacheTtlMs', () => {
  test('is a quarter of the target duration, at most 1 s', () => {
    expect(liveCacheTtlMs(8)).toBe(1000);
    expect(liveCacheTtlMs(2)).toBe(500);
    expect(liveCacheTtlMs(1)).toBe(250);
  });
});

describe('createLivePlaylistCache', () => {
  test('concurrent misses for one camera share one load; other cameras load their own', async () => {
    const cache = createLivePlaylistCache({ ttlMs: 1000 });
    const loads: string[] = [];
    const load = (cam: string) => async () => {
      loads.push(cam);
      await new Promise((r) => setTimeout(r, 5));
      return playlist(cam);
    };
    const got = await Promise.all([...Array(20).keys()].map((i) => cache.get(i % 2 ? 'cam-a' : 'cam-b', T0, load(i % 2 ? 'cam-a' : 'cam-b'))));
    expect(loads.sort()).toEqual(['cam-a', 'cam-b']);
    expect(got.filter((p) => p.body === 'cam-a')).toHaveLength(10);
  });

  test('an entry lives ttlMs by the clock it is given, then the next poll loads again', async () => {
    const cache = createLivePlaylistCache({ ttlMs: 1000 });
    let n = 0;
    const load = async () => playlist(`v${++n}`);
    expect((await cache.get('cam', T0, load)).body).toBe('v1');
    expect((await cache.get('cam', T0 + 999, load)).body).toBe('v1');
    expect((await cache.get('cam', T0 + 1000, load)).body).toBe('v2');
    // a clock that went back does not make an entry from the future fresh
    expect((await cache.get('cam', T0, load)).body).toBe('v3');
  });

  test('a failed load is not kept: the next poll tries again', async () => {
    const cache = createLivePlaylistCache({ ttlMs: 1000 });
    await expect(cache.get('cam', T0, async () => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');
    expect((await cache.get('cam', T0 + 1, async () => playlist('ok'))).body).toBe('ok');
  });

  test('ttlMs 0 loads every time', async () => {
    const cache = createLivePlaylistCache({ ttlMs: 0 });
    let n = 0;
    await cache.get('cam', T0, async () => playlist(`v${++n}`));
    await cache.get('cam', T0, async () => playlist(`v${++n}`));
    expect(n).toBe(2);
    expect(cache.size).toBe(0);
  });

  test('holds at most maxCameras, dropping the oldest', async () => {
    const cache = createLivePlaylistCache({ ttlMs: 1000, maxCameras: 3 });
    for (const cam of ['a', 'b', 'c', 'd']) await cache.get(cam, T0, async () => playlist(cam));
    expect(cache.size).toBe(3);
    let reloaded = false;
    await cache.get('a', T0, async () => ((reloaded = true), playlist('a')));
    expect(reloaded).toBe(true);
  });
});

/** Counts the index reads a LIVE poll makes. */
function counting(index: SegmentIndex): SegmentIndex & { reads: number } {
  const c = Object.create(index) as SegmentIndex & { reads: number };
  c.reads = 0;
  c.newestSegments = async (...a) => (c.reads++, index.newestSegments(...a));
  c.queryEvents = async (...a) => (c.reads++, index.queryEvents(...a));
  return c;
}

function get(rawPath: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: {},
    requestContext: {
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' },
      stage: '$default',
      requestId: 'r',
      domainName: 'api.example.com',
    },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

describe('LIVE playlists through the API handler', () => {
  const memory = new MemorySegmentIndex();
  const index = counting(memory);
  let nowMs = T0;
  const api = createApiHandler({
    config,
    index,
    presigner: { presignGet: async (k) => k },
    tokenSecrets: staticTokenSecrets([{ version: 'v1', secret: SECRET }]),
    clock: { nowMs: () => nowMs },
  });
  const put = (seq: number) =>
    memory.putSegment(
      toSegmentItem(
        'cam-a',
        {
          startMs: T0 - 60_000 + seq * SEG_MS,
          durationMs: SEG_MS,
          seq,
          discSeq: 0,
          keyId: 'aa'.repeat(16),
          iv: '00'.repeat(16),
          codecs: 'avc1.64001f',
          width: 640,
          height: 360,
        },
        'k',
        10,
        7,
      ),
    );
  const tokens = [...Array(50).keys()].map((i) =>
    signSessionToken(
      { deviceId: 'cam-a', mode: 'LIVE', issuedAtSeconds: T0 / 1000, expiresAtSeconds: T0 / 1000 + 3600 + i },
      { version: 'v1', secret: SECRET },
    ),
  );
  const poll = async (token: string) => {
    const r = (await api(get(`/v1/sessions/${token}/playlist.m3u8`))) as { statusCode: number; body: string };
    expect(r.statusCode).toBe(200);
    return r.body;
  };
  const mediaSequence = (body: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(body)![1]);

  test('50 viewers polling at once cost one LIVE read of the index and all get the same playlist', async () => {
    for (let seq = 1; seq <= 8; seq++) await put(seq);
    const bodies = await Promise.all(tokens.map(poll));
    expect(index.reads).toBe(2); // the newest segments and the window's events, once
    expect(new Set(bodies).size).toBe(1);
    expect(mediaSequence(bodies[0]!)).toBe(4);
  });

  test('a new segment shows once the entry is older than min(1 s, target / 4); the media sequence only grows', async () => {
    await put(9);
    nowMs = T0 + 500;
    expect(mediaSequence(await poll(tokens[0]!))).toBe(4);
    nowMs = T0 + 1000;
    const fresh = await poll(tokens[1]!);
    expect(mediaSequence(fresh)).toBe(5);
    expect(fresh).toContain(`segments/${T0 - 60_000 + 9 * SEG_MS}-9.ts`);
  });
});
