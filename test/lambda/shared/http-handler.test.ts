import { describe, expect, test } from 'vitest';
import { CORS_ALLOW_HEADERS, PlaybackRoute } from '../../../contract/index.ts';
import { createApiHandler } from '../../../lambda/api/create-api-handler.ts';
import { createKeysHandler } from '../../../lambda/keys/create-keys-handler.ts';
import { systemClock } from '../../../lambda/shared/clock.ts';
import type { HttpEvent, HttpResult } from '../../../lambda/shared/http.ts';
import { httpHandler, MAX_PATH_CHARS } from '../../../lambda/shared/http-handler.ts';
import type { Log, MetricsSink } from '../../../lambda/shared/log.ts';
import { NotFoundError } from '../../../lambda/shared/playback-error.ts';
import { staticTokenSecrets } from '../../../lambda/token/token-secrets.ts';

const event = (method: string, path: string, origin?: string): HttpEvent =>
  ({ rawPath: path, headers: origin ? { origin } : {}, requestContext: { http: { method }, requestId: 'req-1', stage: '$default' } }) as unknown as HttpEvent;

function recorders() {
  const logged: string[] = [];
  const counted: string[] = [];
  const log: Log = { info: () => {}, warn: () => {}, error: (m) => logged.push(m) };
  const metrics: MetricsSink = { count: (n) => counted.push(n), millis: () => {} };
  return { logged, counted, log, metrics };
}

/** Neither handler reaches its stores on these requests: the frame answers first. */
const unused = new Proxy(
  {},
  {
    get: () => {
      throw new Error('not reached');
    },
  },
) as never;
const tokenSecrets = staticTokenSecrets([{ version: '1', secret: new Uint8Array(32).fill(7) }]);
const config = { corsOrigins: ['https://app.example.com'], targetDurationSeconds: 2, liveWindowSegments: 5, publicBaseUrl: undefined };

function handlers() {
  const r = recorders();
  return {
    r,
    api: createApiHandler({ config, index: unused, events: unused, presigner: unused, tokenSecrets, clock: systemClock, log: r.log, metrics: r.metrics }),
    keys: createKeysHandler({ config, store: unused, index: unused, unwrapper: unused, tokenSecrets, clock: systemClock, log: r.log, metrics: r.metrics }),
  };
}

describe('httpHandler: the one frame of the api and keys functions', () => {
  test.each(['api', 'keys'] as const)("%s: a preflight is answered from the contract's CORS rules, the origin echoed", async (fn) => {
    const h = handlers()[fn];
    const res = await h(event('OPTIONS', PlaybackRoute.KEY.path.replace(/\{[^}]+\}/g, 'x'), 'https://app.example.com'));
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-headers']).toBe(CORS_ALLOW_HEADERS.join(','));
  });

  test.each(['api', 'keys'] as const)('%s: an over-long path is a 400 in JSON with CORS, counted as a client error', async (fn) => {
    const { r, ...h } = handlers();
    const res = await h[fn](event('GET', `/v1/sessions/${'a'.repeat(MAX_PATH_CHARS)}/keys/b`, 'https://app.example.com'));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body as string)).toEqual({ error: { code: 'bad_path', message: `the path is over ${MAX_PATH_CHARS} characters` } });
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(r.counted).toEqual(['ClientErrors']);
  });

  test.each(['api', 'keys'] as const)('%s: an unknown route is a 404 in JSON; another origin gets no allow-origin but Vary', async (fn) => {
    const res = await handlers()[fn](event('GET', '/v2/nothing', 'https://evil.example.com'));
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body as string).error.code).toBe('unknown_route');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers.vary).toBe('origin');
  });

  test("a failure that is not the client's is logged and answered 500 without details; the router's Vary is kept beside CORS", async () => {
    const r = recorders();
    const boom = httpHandler({
      corsOrigins: ['https://app.example.com'],
      log: r.log,
      metrics: r.metrics,
      route: async () => {
        throw new Error('secret detail');
      },
    });
    const res = await boom(event('GET', '/v1/x'));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret detail');
    expect(r.logged).toEqual(['unexpected error']);
    expect(r.counted).toEqual([]);
    const ranged = httpHandler({
      corsOrigins: ['https://app.example.com'],
      log: r.log,
      metrics: r.metrics,
      route: async (): Promise<HttpResult> => ({ statusCode: 302, headers: { vary: 'range' }, body: '' }),
    });
    expect((await ranged(event('GET', '/v1/x', 'https://app.example.com'))).headers.vary).toBe('range, origin');
    const missing = httpHandler({
      corsOrigins: ['*'],
      log: r.log,
      metrics: r.metrics,
      route: async () => {
        throw new NotFoundError('nope', 'not here');
      },
    });
    expect((await missing(event('GET', '/v1/x'))).headers['access-control-allow-origin']).toBe('*');
  });
});
