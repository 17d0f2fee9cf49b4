import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PlaybackRoute, routePattern, signSessionToken, type SessionClaims } from '../../contract/index.ts';
import { signedFetch } from '../../local/auth/signed-fetch.ts';
import { LOCAL_BUCKET, LOCAL_TABLE } from '../../local/stack/local-stack.ts';
import { rawRequest, signRaw, startAbuseStack, type AbuseStack, type RawAnswer, type SeededCamera } from './support/abuse-stack.ts';
import { expectCleanRefusal, expectNothingLeaked, type LeakContext } from './support/expect-clean-refusal.ts';
import { BAD_INPUTS, splitPath } from '../support/bad-inputs.ts';
import { until } from '../support/until.ts';

/**
 * The local playback API attacked over real HTTP: the local stack (s3rver, dynalite, IoT
 * provider, S3 front, the same Lambda handlers behind the local API server) on free
 * ports, two cameras with recordings. Every refusal must be the expected 4xx with a JSON
 * error message, and no answer may carry a stack trace, a source path, the bucket or table
 * name, the data directory or any secret.
 *
 * "Replayed" here means: a token this deployment really issued (signed with its secret)
 * presented again by someone who captured it. Replay within its validity, for its own
 * camera, is allowed by design (tokens are bearer grants, no database read per request);
 * replay after expiry, or against another camera's keys, segments or routes, is refused.
 */
const CAM_A = 'camA';
const CAM_B = 'camB';
let abuse: AbuseStack;
let base: string;
let region: string;
let service: { accessKeyId: string; secretAccessKey: string };
let camA: SeededCamera;
let camB: SeededCamera;
/** A genuine LIVE session token for camA, as the API issued it. */
let tokenA: string;
let ctx: LeakContext;

const nowS = () => Math.floor(Date.now() / 1000);
const tokenOf = (playlistUrl: string) => /\/v1\/sessions\/([^/]+)\/playlist\.m3u8$/.exec(playlistUrl)![1]!;
const b64url = (s: string) => Buffer.from(s).toString('base64url');

async function signed(
  method: string,
  rawPath: string,
  body?: string,
  creds = service,
  extra: { service?: string; region?: string; signingDate?: Date } = {},
): Promise<RawAnswer> {
  const headers = await signRaw(base, method, rawPath, {
    credentials: creds,
    region: extra.region ?? region,
    body,
    service: extra.service,
    signingDate: extra.signingDate,
  });
  delete headers.host;
  return rawRequest(base, method, rawPath, { headers, body });
}
const get = (rawPath: string, headers?: Record<string, string>) => rawRequest(base, 'GET', rawPath, { headers });

beforeAll(async () => {
  abuse = await startAbuseStack([CAM_A, CAM_B]);
  const info = abuse.stack.info;
  base = info.apiUrl;
  region = info.region;
  service = info.credentials;
  const now = Date.now();
  // camA is live: its newest segment ends 2 s ago, well inside the LIVE window's freshness
  // ((liveWindowSegments + 1) x TARGETDURATION = 12 s with 2 s segments).
  camA = await abuse.seedCamera(CAM_A, { firstStartMs: now - 10_000, segments: 4 });
  // camB's recordings are at other times than camA's, so a name can only mean camB's.
  camB = await abuse.seedCamera(CAM_B, { firstStartMs: now - 61_000, segments: 3 });
  const res = await signedFetch(`${base}/v1/cameras/${CAM_A}/sessions`, { credentials: service, region, json: { mode: 'LIVE' } });
  expect(res.status).toBe(201);
  tokenA = tokenOf(((await res.json()) as { playlistUrl: string }).playlistUrl);
  ctx = { names: [LOCAL_BUCKET, LOCAL_TABLE, abuse.dataDir, info.dynamoEndpoint], secrets: abuse.secrets };
});
afterAll(async () => {
  await abuse?.stop();
});

describe('the genuine path works (so the refusals below are not an API that refuses everything)', () => {
  test("camA's token plays camA's live playlist and key, replayed any number of times while valid", async () => {
    // camA's segments are its first ever: LIVE lists them once the arrival hold has passed (an earlier one may still land).
    await until('camA live', async () => (await get(`/v1/sessions/${tokenA}/playlist.m3u8`)).body.toString().includes(`segments/${camA.startsMs[3]}-3.ts`), {
      timeoutMs: 20_000,
    });
    for (let i = 0; i < 3; i++) {
      const pl = await get(`/v1/sessions/${tokenA}/playlist.m3u8`);
      expect(pl.status).toBe(200);
      expect(pl.body.toString()).toContain(`segments/${camA.startsMs[3]}-3.ts`);
      const key = await get(`/v1/sessions/${tokenA}/keys/${camA.keyId}`);
      expect(key.status).toBe(200);
      expect(key.body).toEqual(camA.dataKey);
    }
  });
});

describe('the genuine path works (so the refusals below are not an API that refuses everything)', () => {
  test('a session request signed the browser way (body hash signed, not sent) is accepted', async () => {
    const path = `/v1/cameras/${CAM_A}/sessions`;
    const headers = await signRaw(base, 'POST', path, { credentials: service, region, body: '{"mode":"LIVE"}', sendPayloadHash: false });
    delete headers.host;
    expect((await rawRequest(base, 'POST', path, { headers, body: '{"mode":"LIVE"}' })).status).toBe(201);
  });
});

describe('session tokens: forged, altered, expired, replayed after expiry', () => {
  const claimsA = (over: Partial<SessionClaims> = {}): SessionClaims => ({
    deviceId: CAM_A,
    mode: 'LIVE',
    issuedAtSeconds: nowS() - 60,
    expiresAtSeconds: nowS() + 600,
    ...over,
  });
  const cases: { name: string; token: () => string; status: number; code: string }[] = [
    {
      name: 'forged: signed with another secret under the real key version',
      token: () => signSessionToken(claimsA(), { version: abuse.tokenKey.version, secret: randomBytes(32) }),
      status: 403,
      code: 'token_invalid',
    },
    {
      name: 'forged: a key version the deployment does not know',
      token: () => signSessionToken(claimsA(), { version: 'attacker-1', secret: randomBytes(32) }),
      status: 403,
      code: 'token_invalid',
    },
    {
      name: "altered: camA's genuine token with its payload rewritten to camB",
      token: () => {
        const [v, p, m] = tokenA.split('.');
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
        return `${v}.${b64url(JSON.stringify({ ...claims, c: CAM_B }))}.${m}`;
      },
      status: 403,
      code: 'token_invalid',
    },
    {
      name: "altered: camA's genuine token with its expiry pushed a year out",
      token: () => {
        const [v, p, m] = tokenA.split('.');
        const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
        return `${v}.${b64url(JSON.stringify({ ...claims, x: nowS() + 365 * 86400 }))}.${m}`;
      },
      status: 403,
      code: 'token_invalid',
    },
    { name: 'altered: MAC truncated by one character', token: () => tokenA.slice(0, -1), status: 403, code: 'token_invalid' },
    {
      name: "altered: MAC's last character changed",
      token: () => tokenA.slice(0, -1) + (tokenA.endsWith('A') ? 'B' : 'A'),
      status: 403,
      code: 'token_invalid',
    },
    { name: 'unsigned: empty MAC', token: () => tokenA.slice(0, tokenA.lastIndexOf('.') + 1), status: 403, code: 'token_malformed' },
    { name: 'unsigned: no MAC part at all', token: () => tokenA.slice(0, tokenA.lastIndexOf('.')), status: 403, code: 'token_malformed' },
    {
      name: 'expired: signed by the deployment, expired a second ago',
      token: () => signSessionToken(claimsA({ expiresAtSeconds: nowS() - 1 }), abuse.tokenKey),
      status: 403,
      code: 'token_expired',
    },
    {
      name: 'expired: expiry equal to now',
      token: () => signSessionToken(claimsA({ expiresAtSeconds: nowS() }), abuse.tokenKey),
      status: 403,
      code: 'token_expired',
    },
    {
      name: 'replayed after expiry: a genuine ON_DEMAND token for camA captured yesterday',
      token: () =>
        signSessionToken(
          {
            deviceId: CAM_A,
            mode: 'ON_DEMAND',
            startMs: camA.startsMs[0]!,
            endMs: camA.startsMs[3]! + 2000,
            issuedAtSeconds: nowS() - 86_400,
            expiresAtSeconds: nowS() - 86_400 + 3600,
          },
          abuse.tokenKey,
        ),
      status: 403,
      code: 'token_expired',
    },
    { name: 'garbage: over 1024 characters', token: () => `${tokenA}${'A'.repeat(1100)}`, status: 403, code: 'token_malformed' },
    {
      name: 'garbage: JSON in place of base64url',
      token: () => encodeURIComponent(`local-1.{"c":"camA","m":"LIVE","x":9999999999}.x`),
      status: 403,
      code: 'token_malformed',
    },
  ];

  test.each(cases)('$name: playlist and key routes answer $status $code', async ({ token, status, code }) => {
    const t = token();
    for (const path of [
      `/v1/sessions/${t}/playlist.m3u8`,
      `/v1/sessions/${t}/keys/${camA.keyId}`,
      `/v1/sessions/${t}/segments/${camA.startsMs[0]}-0.ts`,
      `/v1/sessions/${t}/images/${camA.startsMs[0]}-ab12.jpg`,
    ]) {
      const answer = await get(path);
      expect(expectCleanRefusal(answer, status, ctx, path).code).toBe(code);
      expect(answer.body.includes(camA.dataKey)).toBe(false);
    }
  });
});

describe("replaying camA's valid token against camB", () => {
  test("camB's key id is not found for camA's session", async () => {
    const answer = await get(`/v1/sessions/${tokenA}/keys/${camB.keyId}`);
    expect(expectCleanRefusal(answer, 404, ctx, 'camB key').code).toBe('key_not_found');
    expect(answer.body.includes(camB.dataKey)).toBe(false);
  });

  test.each([
    ['key route, traversal to keys/camB', `keys/..%2F..%2Fkeys%2F${CAM_B}%2F`, 'key_not_found'],
    ['key route, dot-dot encoded once more', `keys/%252e%252e%252f${CAM_B}%252f`, 'key_not_found'],
    ['segment route, traversal to segments/camB', `segments/..%2F..%2Fsegments%2F${CAM_B}%2F`, 'segment_not_found'],
  ])('%s is not found', async (_name, prefix, code) => {
    const suffix = prefix.startsWith('keys') ? `${camB.keyId}` : `${camB.startsMs[0]}-0.ts`;
    const answer = await get(`/v1/sessions/${tokenA}/${prefix}${suffix}`);
    expect(expectCleanRefusal(answer, 404, ctx, prefix).code).toBe(code);
  });

  test("camA's playlist lists none of camB's segments", async () => {
    const text = (await get(`/v1/sessions/${tokenA}/playlist.m3u8`)).body.toString();
    for (const [i, startMs] of camB.startsMs.entries()) expect(text).not.toContain(`${startMs}-${i}.ts`);
  });

  test("a camB segment name under camA's token redirects only into camA's prefix, which does not hold it", async () => {
    // The segment route builds the object key from the token's camera, never from the
    // request, so the best an attacker gets is a URL for a camA object that does not exist.
    // (A LIVE token does not even reach camB's times: see the next test.) An ON_DEMAND token
    // for camA over the whole seeded range does.
    const res = await signedFetch(`${base}/v1/cameras/${CAM_A}/sessions`, {
      credentials: service,
      region,
      json: { mode: 'ON_DEMAND', start: new Date(camB.startsMs[0]! - 5000).toISOString(), end: new Date(Date.now() + 60_000).toISOString() },
    });
    const onDemandA = tokenOf(((await res.json()) as { playlistUrl: string }).playlistUrl);
    const answer = await get(`/v1/sessions/${onDemandA}/segments/${camB.startsMs[0]}-0.ts`);
    expect(answer.status).toBe(302);
    const location = new URL(String(answer.headers.location));
    expect(location.pathname).toContain(`/segments/${CAM_A}/`);
    expect(location.pathname).not.toContain(CAM_B);
    const fetched = await fetch(location);
    expect(fetched.status).toBe(404);
    expect(Buffer.from(await fetched.arrayBuffer()).includes(camB.bodies[0]!)).toBe(false);
  });

  test("a LIVE token does not reach a minute back: camA's own older segment name is 404", async () => {
    const older = await get(`/v1/sessions/${tokenA}/segments/${camB.startsMs[0]}-0.ts`);
    expect(older.status).toBe(404);
    expect(JSON.parse(older.body.toString()).error.code).toBe('segment_not_found');
  });
});

describe('bad inputs: the table shared with the in-process test (test/support/bad-inputs.ts), over HTTP, signed on the IAM routes', () => {
  const IAM_ROUTES = Object.values(PlaybackRoute)
    .filter((r) => r.auth === 'iam')
    .map((r) => routePattern(r.path));
  test.each(BAD_INPUTS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const req = c.request({ camera: CAM_A, otherCamera: CAM_B, token: tokenA, tokenKey: abuse.tokenKey, otherCameraKeyId: camB.keyId, nowMs: Date.now() });
    const iam = IAM_ROUTES.some((r) => r.test(splitPath(req.path).rawPath));
    const answer = iam ? await signed(req.method, req.path, req.body) : await rawRequest(base, req.method, req.path, { body: req.body });
    expect(c.codes).toContain(expectCleanRefusal(answer, c.status, ctx, c.name).code);
  });
});

describe('wrong methods and routes', () => {
  const session = () => `/v1/sessions/${tokenA}`;
  test.each([
    ['DELETE', 'playlist.m3u8'],
    ['PUT', 'playlist.m3u8'],
    ['PATCH', 'playlist.m3u8'],
    ['POST', 'playlist.m3u8'],
    ['DELETE', 'keys/KEY'],
    ['POST', 'keys/KEY'],
    ['PUT', 'segments/SEG'],
    ['PUT', 'images/1-ab.jpg'],
    ['DELETE', 'images/1-ab.jpg'],
  ])('%s on the session %s route answers 405 with Allow', async (method, rest) => {
    const path = `${session()}/${rest.replace('KEY', camA.keyId).replace('SEG', `${camA.startsMs[0]}-0.ts`)}`;
    const answer = await rawRequest(base, method, path, { body: method === 'DELETE' ? undefined : '{}' });
    expect(expectCleanRefusal(answer, 405, ctx, `${method} ${rest}`).code).toBe('method_not_allowed');
    expect(String(answer.headers.allow)).toContain('GET');
  });

  test.each([
    ['GET', 'sessions'],
    ['DELETE', 'sessions'],
    ['POST', 'timeline'],
  ])('%s on the IAM %s route (signed) answers 405', async (method, route) => {
    const answer = await signed(method, `/v1/cameras/${CAM_A}/${route}`, method === 'POST' ? '{"mode":"LIVE"}' : undefined);
    expect(expectCleanRefusal(answer, 405, ctx, `${method} ${route}`).code).toBe('method_not_allowed');
  });

  test.each(['/v1/cameras', '/v1/cameras/camA', '/v1/sessions/x', '/v1/admin', '/v1/cameras/camA/sessions/extra', '/v2/cameras/camA/sessions'])(
    'unknown route %s answers 404',
    async (path) => {
      const answer = await get(path);
      expectCleanRefusal(answer, 404, ctx, path);
    },
  );
});

describe('IAM routes: unsigned and badly signed requests', () => {
  const sessions = `/v1/cameras/${CAM_A}/sessions`;
  const body = '{"mode":"LIVE"}';
  const cases: { name: string; send: () => Promise<RawAnswer>; status: number }[] = [
    {
      name: 'unsigned session request',
      send: () => rawRequest(base, 'POST', sessions, { body, headers: { 'content-type': 'application/json' } }),
      status: 403,
    },
    { name: 'unsigned timeline request', send: () => get(`/v1/cameras/${CAM_A}/timeline?start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00Z`), status: 403 },
    { name: 'signed with the wrong secret', send: () => signed('POST', sessions, body, { ...service, secretAccessKey: 'not-the-secret' }), status: 403 },
    {
      name: 'signed with an unknown access key',
      send: () => signed('POST', sessions, body, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }),
      status: 403,
    },
    {
      name: "signed with camA's own device credentials (cameras may not create sessions)",
      send: async () => {
        const dev = await abuse.deviceCredentials(CAM_A);
        return signed('POST', sessions, body, dev);
      },
      status: 403,
    },
    {
      name: 'signed 20 minutes ago (replayed request)',
      send: () => signed('POST', sessions, body, service, { signingDate: new Date(Date.now() - 20 * 60_000) }),
      status: 403,
    },
    {
      name: 'signed 20 minutes in the future',
      send: () => signed('POST', sessions, body, service, { signingDate: new Date(Date.now() + 20 * 60_000) }),
      status: 403,
    },
    {
      name: 'signature for another path (camB) sent to camA',
      send: async () => {
        const headers = await signRaw(base, 'POST', `/v1/cameras/${CAM_B}/sessions`, { credentials: service, region, body });
        delete headers.host;
        return rawRequest(base, 'POST', sessions, { headers, body });
      },
      status: 403,
    },
    {
      // API Gateway hashes the body it received; so must the local check, or a signed
      // request captured within the skew window could be replayed with another body.
      name: 'body changed after signing (the signed hash header kept)',
      send: async () => {
        const headers = await signRaw(base, 'POST', sessions, { credentials: service, region, body });
        delete headers.host;
        return rawRequest(base, 'POST', sessions, { headers, body: '{"mode":"LIVE","expiresInSeconds":43200}' });
      },
      status: 403,
    },
    {
      name: 'body changed after signing (no hash header sent, as browsers sign)',
      send: async () => {
        const headers = await signRaw(base, 'POST', sessions, { credentials: service, region, body, sendPayloadHash: false });
        delete headers.host;
        expect(headers['x-amz-content-sha256']).toBeUndefined();
        return rawRequest(base, 'POST', sessions, { headers, body: '{"mode":"LIVE","expiresInSeconds":43200}' });
      },
      status: 403,
    },
    {
      name: 'body changed after signing (the hash header updated to match)',
      send: async () => {
        const headers = await signRaw(base, 'POST', sessions, { credentials: service, region, body });
        delete headers.host;
        const forged = '{"mode":"LIVE","expiresInSeconds":43200}';
        headers['x-amz-content-sha256'] = createHash('sha256').update(forged).digest('hex');
        return rawRequest(base, 'POST', sessions, { headers, body: forged });
      },
      status: 403,
    },
    {
      name: 'Authorization: Basic',
      send: () => rawRequest(base, 'POST', sessions, { body, headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } }),
      status: 400,
    },
    {
      name: 'SigV4 header without its parts',
      send: () => rawRequest(base, 'POST', sessions, { body, headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x', 'x-amz-date': '20260101T000000Z' } }),
      status: 400,
    },
    {
      name: 'signature stripped to one hex digit',
      send: async () => {
        const headers = await signRaw(base, 'POST', sessions, { credentials: service, region, body });
        delete headers.host;
        headers.authorization = headers.authorization!.replace(/Signature=[0-9a-f]+/, 'Signature=0');
        return rawRequest(base, 'POST', sessions, { headers, body });
      },
      status: 403,
    },
  ];
  test.each(cases)('$name answers $status', async ({ name, send, status }) => {
    const answer = await send();
    expectCleanRefusal(answer, status, ctx, name);
    expect(answer.body.toString()).not.toContain('playlistUrl');
  });
});

describe('local API refusals that API Gateway makes too', () => {
  // API Gateway refuses a signature scoped to another region or to s3 (it checks the
  // credential scope before the signature).
  test.each([
    ['another service (s3)', { service: 's3' }],
    ['another region', { region: 'ap-southeast-2' }],
  ] as const)('a request signed for %s is refused with 403', async (_name, scope) => {
    const answer = await signed('POST', `/v1/cameras/${CAM_A}/sessions`, '{"mode":"LIVE"}', service, scope);
    expectCleanRefusal(answer, 403, ctx, 'wrong scope');
    expect(answer.body.toString()).not.toContain('playlistUrl');
  });

  test('a body over the local API limit (64 KiB) is refused with 413 and a JSON error', async () => {
    const body = JSON.stringify({ mode: 'LIVE', pad: 'x'.repeat(200_000) });
    const answer = await signed('POST', `/v1/cameras/${CAM_A}/sessions`, body);
    expectCleanRefusal(answer, 413, ctx, 'huge body');
    expect(JSON.parse(answer.body.toString()).error.code).toBe('body_too_large');
  });

  test('the 64 KiB refusal creates no session and leaves the server answering', async () => {
    const body = JSON.stringify({ mode: 'LIVE', pad: 'x'.repeat(200_000) });
    const answer = await signed('POST', `/v1/cameras/${CAM_A}/sessions`, body);
    expect(answer.body.toString()).not.toContain('playlistUrl');
    expect((await get(`/v1/sessions/${tokenA}/playlist.m3u8`)).status).toBe(200);
  });
});

describe('nothing leaks from successful answers either', () => {
  test('session, playlist and timeline answers name no bucket, table, path or secret', async () => {
    const created = await signed('POST', `/v1/cameras/${CAM_A}/sessions`, '{"mode":"LIVE"}');
    expect(created.status).toBe(201);
    expectNothingLeaked(created, ctx, 'session');
    expectNothingLeaked(await get(`/v1/sessions/${tokenA}/playlist.m3u8`), ctx, 'playlist');
    const tl = await signed('GET', `/v1/cameras/${CAM_A}/timeline?start=${new Date(camA.startsMs[0]! - 60_000).toISOString()}&end=${new Date().toISOString()}`);
    expect(tl.status).toBe(200);
    expectNothingLeaked(tl, ctx, 'timeline');
  });
});
