import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { keyBinding, PlaybackRoute, routePattern, signSessionToken, toSegmentItem, type SessionClaims } from '../../../contract/index.ts';
import { createApiHandler } from '../../../lambda/api/create-api-handler.ts';
import { createKeysHandler } from '../../../lambda/keys/create-keys-handler.ts';
import type { ObjectStore } from '../../../lambda/storage/object-store.ts';
import { staticTokenSecrets } from '../../../lambda/token/token-secrets.ts';
import { MemorySegmentIndex } from '../support/memory-segment-index.ts';
import { BAD_INPUTS, splitPath, type BadInputContext, type BadRequest } from '../../support/bad-inputs.ts';

const NOW_MS = Date.UTC(2026, 0, 2, 12, 0, 0);
const SECRET = randomBytes(32);
const secrets = staticTokenSecrets([{ version: 'v1', secret: SECRET }]);
const clock = { nowMs: () => NOW_MS };
const config = { targetDurationSeconds: 8, liveWindowSegments: 5, corsOrigins: ['*'], publicBaseUrl: 'https://api.example.com' };
const KEY_A = 'aa'.repeat(16);
const KEY_B = 'bb'.repeat(16);

const index = new MemorySegmentIndex();
await index.putSegment(
  toSegmentItem(
    'cam-a',
    { startMs: NOW_MS - 30_000, durationMs: 6000, seq: 1, discSeq: 0, keyId: KEY_A, iv: '00'.repeat(16), codecs: 'avc1.64001f', width: 640, height: 360 },
    'k',
    10,
    7,
  ),
);
await index.putSegment(
  toSegmentItem(
    'cam-b',
    { startMs: NOW_MS - 30_000, durationMs: 6000, seq: 1, discSeq: 0, keyId: KEY_B, iv: '00'.repeat(16), codecs: 'avc1.64001f', width: 640, height: 360 },
    'k',
    10,
    7,
  ),
);
const api = createApiHandler({ config, index, presigner: { presignGet: async (k) => `https://s3.example.com/${k}?sig` }, tokenSecrets: secrets, clock });
/** Camera B's wrapped key exists; camera A's token must not reach it. */
const store: ObjectStore = {
  head: async () => undefined,
  getBytes: async (key) => (key === `keys/cam-b/${KEY_B}.bin` ? new Uint8Array(256) : undefined),
};
// No picture is indexed: every picture name a bad input tries is not found.
const images = { putImage: async () => 'created' as const, getImage: async () => undefined, queryImages: async () => [] };
const keys = createKeysHandler({
  config,
  store,
  index,
  images,
  unwrapper: { unwrap: async () => Buffer.concat([Buffer.of(2), Buffer.alloc(16, 5), keyBinding({ deviceId: 'cam-b', keyId: KEY_B })]) },
  tokenSecrets: secrets,
  clock,
});

const claims = (c: Partial<SessionClaims> = {}): SessionClaims => ({
  deviceId: 'cam-a',
  mode: 'LIVE',
  issuedAtSeconds: NOW_MS / 1000,
  expiresAtSeconds: NOW_MS / 1000 + 3600,
  ...c,
});
const token = (c: Partial<SessionClaims> = {}, secret: Buffer = SECRET, version = 'v1') => signSessionToken(claims(c), { version, secret });
const good = token();
const forged = (() => {
  // Camera A's signature on a payload naming camera B.
  const [version, , mac] = good.split('.');
  const payload = Buffer.from(JSON.stringify({ c: 'cam-b', m: 'LIVE', x: NOW_MS / 1000 + 3600 })).toString('base64url');
  return `${version}.${payload}.${mac}`;
})();

function event(method: string, rawPath: string, o: { body?: string; query?: Record<string, string>; base64?: boolean } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: new URLSearchParams(o.query ?? {}).toString(),
    headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
    ...(o.query ? { queryStringParameters: o.query } : {}),
    requestContext: {
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' },
      stage: '$default',
      requestId: 'r1',
      domainName: 'api.example.com',
    },
    ...(o.body !== undefined ? { body: o.body, isBase64Encoded: o.base64 ?? false } : { isBase64Encoded: false }),
  } as unknown as APIGatewayProxyEventV2;
}

const S = '/v1/cameras/cam-a/sessions';
const T = '/v1/cameras/cam-a/timeline';
const body = (o: object) => JSON.stringify(o);
const day = (h: number) => new Date(NOW_MS + h * 3600_000).toISOString();

type Case = [name: string, method: string, path: string, opts: Parameters<typeof event>[2], status: number, code: string, handler?: 'keys'];
/** Requests only an in-process event can carry, or that need this file's fixed clock; the rest are the shared table (test/support/bad-inputs.ts). */
const inProcessCases: Case[] = [
  ['body is base64 garbage', 'POST', S, { body: 'AAEC', base64: true }, 400, 'bad_body'],
  ['no body at all', 'POST', S, {}, 400, 'bad_body'],
  ['range over 24 h', 'POST', S, { body: body({ mode: 'ON_DEMAND', start: day(-30), end: day(-5) }) }, 400, 'bad_range'],
  ['timeline over 31 days', 'GET', T, { query: { start: day(-24 * 32), end: day(0) } }, 400, 'bad_range'],
  ['token with a truncated mac', 'GET', `/v1/sessions/${good.slice(0, -4)}/playlist.m3u8`, {}, 403, 'token_invalid'],
  [
    'expired token',
    'GET',
    `/v1/sessions/${token({ issuedAtSeconds: NOW_MS / 1000 - 3601, expiresAtSeconds: NOW_MS / 1000 - 1 })}/playlist.m3u8`,
    {},
    403,
    'token_expired',
  ],
  ['forged token (payload swapped)', 'GET', `/v1/sessions/${forged}/playlist.m3u8`, {}, 403, 'token_invalid'],
  [
    'segment outside an ON_DEMAND range',
    'GET',
    `/v1/sessions/${token({ mode: 'ON_DEMAND', startMs: NOW_MS - 7200_000, endMs: NOW_MS - 3600_000 })}/segments/${NOW_MS - 30_000}-1.ts`,
    {},
    404,
    'segment_not_found',
  ],
  [
    'segment with an expired token',
    'GET',
    `/v1/sessions/${token({ issuedAtSeconds: 1, expiresAtSeconds: 2 })}/segments/${NOW_MS - 30_000}-1.ts`,
    {},
    403,
    'token_expired',
  ],
  ['key with a forged token', 'GET', `/v1/sessions/${forged}/keys/${KEY_B}`, {}, 403, 'token_invalid', 'keys'],
  ['key with an expired token', 'GET', `/v1/sessions/${token({ issuedAtSeconds: 1, expiresAtSeconds: 2 })}/keys/${KEY_A}`, {}, 403, 'token_expired', 'keys'],
  ['keys function on another route', 'GET', '/v1/cameras/cam-a/timeline', {}, 404, 'unknown_route', 'keys'],
  ['GET on sessions', 'GET', S, {}, 405, 'method_not_allowed'],
  // Over HTTP, API Gateway itself answers a path outside /v1 (no function runs).
  ['unknown version', 'GET', '/v2/cameras/cam-a/timeline', {}, 404, 'unknown_route'],
  ['POST a timeline', 'POST', T, { body: '{}' }, 405, 'method_not_allowed'],
];

const context: BadInputContext = {
  camera: 'cam-a',
  otherCamera: 'cam-b',
  token: good,
  tokenKey: { version: 'v1', secret: SECRET },
  otherCameraKeyId: KEY_B,
  nowMs: NOW_MS,
};
/** The keys function's routes (keys and pictures), as API Gateway routes them. */
const KEYS_ROUTES = Object.values(PlaybackRoute)
  .filter((r) => r.fn === 'keys')
  .map((r) => routePattern(r.path));

/** A shared-table request as API Gateway hands it to a function (repeated query names joined by commas, as payload 2.0 does). */
function eventOf(r: BadRequest): APIGatewayProxyEventV2 {
  const { rawPath, rawQuery } = splitPath(r.path);
  const params = new URLSearchParams(rawQuery);
  const query = rawQuery ? Object.fromEntries([...new Set(params.keys())].map((k) => [k, params.getAll(k).join(',')])) : undefined;
  return event(r.method, rawPath, { ...(r.body !== undefined ? { body: r.body } : {}), ...(query ? { query } : {}) });
}

async function expectCleanRefusal(res: Awaited<ReturnType<typeof api>>, status: number): Promise<string> {
  expect(res.statusCode, String(res.body).slice(0, 200)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['access-control-allow-origin']).toBe('*');
  expect(res.headers['cache-control']).toBe('no-store');
  const parsed = JSON.parse(res.body as string) as { error: { code: string; message: string } };
  expect(parsed.error.message.length).toBeGreaterThan(10);
  expect(res.body).not.toMatch(/\n\s+at |\.ts:\d+/);
  return parsed.error.code;
}

describe('bad input never reaches S3 or DynamoDB and always gets a 4xx naming the problem', () => {
  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const req = c.request(context);
    const res = await (KEYS_ROUTES.some((r) => r.test(splitPath(req.path).rawPath)) ? keys : api)(eventOf(req));
    expect(c.codes).toContain(await expectCleanRefusal(res, c.status));
  });

  it.each(inProcessCases)('%s', async (_name, method, path, opts, status, code, which) => {
    const res = await (which === 'keys' ? keys : api)(event(method, path, opts));
    expect(await expectCleanRefusal(res, status)).toBe(code);
  });

  it('answers a CORS preflight for any route', async () => {
    const res = await api(event('OPTIONS', `/v1/sessions/${good}/playlist.m3u8`));
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-methods']).toContain('GET');
  });

  it('hides an internal failure behind a bare 500', async () => {
    const broken = createApiHandler({
      config,
      index: {
        ...index,
        newestSegments: async () => {
          throw new Error('DynamoDB exploded at /var/task/x.ts:12');
        },
      } as unknown as MemorySegmentIndex,
      presigner: { presignGet: async () => '' },
      tokenSecrets: secrets,
      clock,
    });
    const res = await broken(event('GET', `/v1/sessions/${good}/playlist.m3u8`));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('exploded');
    expect(JSON.parse(res.body as string).error.code).toBe('internal');
  });

  it('accepts the same requests when they are right', async () => {
    const created = await api(event('POST', S, { body: body({ mode: 'ON_DEMAND', start: day(-2), end: day(-1), expiresInSeconds: 600 }) }));
    expect(created.statusCode).toBe(201);
    const answer = JSON.parse(created.body as string) as { playlistUrl: string; expiresAt: string };
    expect(answer.playlistUrl).toMatch(/^https:\/\/api\.example\.com\/v1\/sessions\/v1\.[\w-]+\.[\w-]+\/playlist\.m3u8$/);
    expect(answer.expiresAt).toBe(new Date(NOW_MS + 600_000).toISOString());
    const live = await api(event('GET', `/v1/sessions/${good}/playlist.m3u8`));
    expect(live.statusCode).toBe(200);
    const seg = await api(event('GET', `/v1/sessions/${good}/segments/${NOW_MS - 30_000}-1.ts`));
    expect(seg.statusCode).toBe(302);
    expect(seg.headers.location).toContain(`segments/cam-a/2026/01/02/11/${NOW_MS - 30_000}-1.ts`);
    const key = await keys(event('GET', `/v1/sessions/${token({ deviceId: 'cam-b' })}/keys/${KEY_B}`));
    expect(key.statusCode).toBe(200);
    expect(Buffer.from(key.body as string, 'base64')).toHaveLength(16);
  });
});
