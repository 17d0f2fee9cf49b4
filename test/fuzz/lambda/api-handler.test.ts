import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { verifySessionToken } from '../../../contract/index.ts';
import { createApiHandler } from '../../../lambda/api/create-api-handler.ts';
import type { HttpEvent, HttpResult } from '../../../lambda/shared/http.ts';
import { staticTokenSecrets } from '../../../lambda/token/token-secrets.ts';
import { createFuzzSuite, fuzzTimeoutMs } from '../support/fuzz-runner.ts';
import { applyEdits, isWellFormedUtf16, stringEdit } from '../support/mutations.ts';
import { MemorySegmentIndex } from '../../lambda/support/memory-segment-index.ts';
import { recentSegments } from './recent-segments.ts';

const check = createFuzzSuite('lambda-api-handler');

const NOW_MS = Date.UTC(2026, 10, 21, 12);
const CAMERA = 'cam-1';
const SECRET = randomBytes(32);
const handler = createApiHandler({
  config: { targetDurationSeconds: 6, liveWindowSegments: 5, corsOrigins: ['*'], publicBaseUrl: 'https://api.example' },
  index: MemorySegmentIndex.holding(CAMERA, recentSegments(CAMERA, NOW_MS - 3000, 600)),
  presigner: { presignGet: async (key, seconds) => `https://bucket.example/${encodeURI(key)}?X-Amz-Expires=${seconds}` },
  tokenSecrets: staticTokenSecrets([{ version: 'v1', secret: SECRET }]),
  clock: { nowMs: () => NOW_MS },
});

interface Request {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: string;
  base64?: boolean;
}

function event(r: Request): HttpEvent {
  const rawQueryString = new URLSearchParams(r.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: r.path,
    rawQueryString,
    headers: { host: 'api.example', origin: 'https://app.example' },
    ...(r.query ? { queryStringParameters: r.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method: r.method, path: r.path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'fuzz' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '21/Nov/2026:12:00:00 +0000',
      timeEpoch: NOW_MS,
    },
    ...(r.body !== undefined ? { body: r.base64 ? Buffer.from(r.body).toString('base64') : r.body } : {}),
    isBase64Encoded: r.base64 ?? false,
  };
}

const CLIENT_ERRORS = new Set([400, 403, 404, 405]);

/** What every answer must look like: a known status, CORS, and a JSON error body for 4xx. */
function expectWellFormed(res: HttpResult): void {
  expect([200, 201, 204, 302, ...CLIENT_ERRORS], `status ${res.statusCode}: ${res.body}`).toContain(res.statusCode);
  expect(res.headers['access-control-allow-origin']).toBe('*');
  if (CLIENT_ERRORS.has(res.statusCode)) {
    const err = JSON.parse(String(res.body)) as { error: { code: string; message: string } };
    expect(err.error.code).toMatch(/^[a-z_]+$/);
    expect(err.error.message.length).toBeGreaterThan(0);
  }
}

const seg = fc.oneof(
  fc.constantFrom(
    'v1',
    'cameras',
    'sessions',
    'timeline',
    'playlist.m3u8',
    'keys',
    'segments',
    CAMERA,
    '',
    '..',
    '%',
    '%2F',
    '%E0%A4%A',
    'a%00b',
    '0-1.ts',
    `${NOW_MS - 60_000}-1500.ts`,
  ),
  fc.string({ maxLength: 30 }),
  fc.stringMatching(/^[A-Za-z0-9_:%-]{1,40}$/),
);
const path = fc.oneof(
  fc.array(seg, { maxLength: 7 }).map((p) => `/${p.join('/')}`),
  fc.tuple(seg, fc.constantFrom('sessions', 'timeline')).map(([id, r]) => `/v1/cameras/${id}/${r}`),
  fc.tuple(seg, fc.constantFrom('playlist.m3u8', 'segments/x', 'keys/y')).map(([t, r]) => `/v1/sessions/${t}/${r}`),
  fc.string({ minLength: 2040, maxLength: 2060 }).map((s) => `/${s}`),
);
/** ISO times within the recorded hour (and a little around it). */
const recentIso = fc.integer({ min: NOW_MS - 4_000_000, max: NOW_MS + 60_000 }).map((ms) => new Date(ms).toISOString());
const validBody = fc.oneof(
  fc.constant('{"mode":"LIVE"}'),
  fc.tuple(recentIso, fc.integer({ min: 300, max: 43_200 })).map(([start, x]) => JSON.stringify({ mode: 'LIVE_REPLAY', start, expiresInSeconds: x })),
  fc.tuple(recentIso, recentIso).map(([a, b]) => JSON.stringify({ mode: 'ON_DEMAND', start: a < b ? a : b, end: a < b ? b : a })),
);
const isoish = fc.oneof(
  fc.date({ min: new Date(1990, 0, 1), max: new Date(2100, 0, 1), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-11-21T11:00:00Z',
    '2026-11-21T11:00:00+01:00',
    '2026-02-30T00:00:00Z',
    '2026-11-21T25:61:61Z',
    '9999-12-31T23:59:59Z',
    '0000-01-01T00:00:00Z',
    '2026-11-21',
    'now',
    '',
  ),
  fc.string({ maxLength: 30 }),
);
const validRange = fc
  .tuple(recentIso, recentIso, fc.option(fc.integer({ min: 1, max: 5000 }).map(String), { nil: undefined }))
  .map(([a, b, limit]) => ({ start: a < b ? a : b, end: a < b ? b : a, ...(limit ? { limit } : {}) }));
const query = fc.oneof(
  validRange,
  fc.dictionary(fc.constantFrom('start', 'end', 'cursor', 'limit', 'x'), fc.oneof(isoish, fc.nat().map(String), fc.string({ maxLength: 10 })), { maxKeys: 5 }),
);
const jsonBody = fc.oneof(
  validBody,
  fc
    .record(
      {
        mode: fc.constantFrom('LIVE', 'LIVE_REPLAY', 'ON_DEMAND', 'live', ''),
        start: fc.option(isoish, { nil: undefined }),
        end: fc.option(isoish, { nil: undefined }),
        expiresInSeconds: fc.option(fc.oneof(fc.integer(), fc.double(), fc.constant(300), fc.constant(43_200)), { nil: undefined }),
      },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b)),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 100 }),
  fc.string({ minLength: 4090, maxLength: 4100 }),
);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'get', 'PATCH');

const createSession = async (body: string): Promise<HttpResult> => handler(event({ method: 'POST', path: `/v1/cameras/${CAMERA}/sessions`, body }));
const tokenOf = (res: HttpResult): string => (JSON.parse(String(res.body)) as { playlistUrl: string }).playlistUrl.split('/')[5]!;

describe('playback API handler (any request a client can send)', () => {
  test(
    'any method, path, query and body: a well-formed answer, never a 500',
    async () => {
      await check.async(
        'any request',
        fc.asyncProperty(method, path, fc.option(query, { nil: undefined }), fc.option(jsonBody, { nil: undefined }), fc.boolean(), async (m, p, q, b, b64) => {
          expectWellFormed(await handler(event({ method: m, path: p, ...(q ? { query: q } : {}), ...(b !== undefined ? { body: b, base64: b64 } : {}) })));
        }),
      );
    },
    fuzzTimeoutMs(10),
  );

  test(
    'session bodies: 201 with a playlist URL that plays, or a 400 naming the problem',
    async () => {
      let created = 0;
      await check.async(
        'session bodies',
        fc.asyncProperty(jsonBody, async (body) => {
          const res = await createSession(body);
          expectWellFormed(res);
          expect([201, 400]).toContain(res.statusCode);
          if (res.statusCode !== 201) return;
          created++;
          const claims = verifySessionToken(tokenOf(res), SECRET, NOW_MS);
          expect(claims.deviceId).toBe(CAMERA);
          const playlist = await handler(event({ method: 'GET', path: `/v1/sessions/${tokenOf(res)}/playlist.m3u8` }));
          expect(playlist.statusCode).toBe(200);
          expect(String(playlist.body).startsWith('#EXTM3U\n')).toBe(true);
        }),
      );
      expect(created, 'no session was ever created: the generator lost its valid bodies').toBeGreaterThan(0);
    },
    fuzzTimeoutMs(10),
  );

  test(
    'timeline query strings: 200 or 400, never a 500',
    async () => {
      let served = 0;
      await check.async(
        'timeline queries',
        fc.asyncProperty(query, async (q) => {
          const res = await handler(event({ method: 'GET', path: `/v1/cameras/${CAMERA}/timeline`, query: q }));
          expectWellFormed(res);
          expect([200, 400]).toContain(res.statusCode);
          if (res.statusCode === 200) served++;
        }),
      );
      expect(served, 'no timeline was ever served').toBeGreaterThan(0);
    },
    fuzzTimeoutMs(10),
  );

  test(
    'a mutated session token in the path is a 403 (or a 400/404 when the path no longer parses)',
    async () => {
      const live = tokenOf(await createSession('{"mode":"LIVE"}'));
      await check.async(
        'mutated tokens',
        fc.asyncProperty(
          fc.array(stringEdit, { minLength: 1, maxLength: 3 }),
          fc.constantFrom('playlist.m3u8', `segments/${NOW_MS - 60_000}-1500.ts`),
          async (edits, rest) => {
            const mutated = applyEdits(live, edits);
            // A URL cannot carry a lone surrogate (an edit may split an emoji): nothing to send.
            if (mutated === live || !isWellFormedUtf16(mutated)) return;
            const res = await handler(event({ method: 'GET', path: `/v1/sessions/${encodeURIComponent(mutated)}/${rest}` }));
            expectWellFormed(res);
            expect([400, 403, 404]).toContain(res.statusCode);
          },
        ),
      );
    },
    fuzzTimeoutMs(10),
  );
});
