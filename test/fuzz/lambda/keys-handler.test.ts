import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { keyBinding, parseObjectKey, signSessionToken, toSegmentItem, wrappedKeyKey } from '../../../contract/index.ts';
import { createKeysHandler } from '../../../lambda/keys/create-keys-handler.ts';
import type { HttpEvent, HttpResult } from '../../../lambda/shared/http.ts';
import type { ObjectStore } from '../../../lambda/storage/object-store.ts';
import { staticTokenSecrets } from '../../../lambda/token/token-secrets.ts';
import { createFuzzSuite, fuzzTimeoutMs } from '../support/fuzz-runner.ts';
import { applyEdits, isWellFormedUtf16, stringEdit } from '../support/mutations.ts';
import { MemorySegmentIndex } from '../../lambda/support/memory-segment-index.ts';

const check = createFuzzSuite('lambda-keys-handler');

const NOW_MS = Date.UTC(2026, 10, 21, 12);
const SECRET = randomBytes(32);
const CAMERAS = ['cam-1', 'cam-2'] as const;
/**
 * Three keys per camera, each used by a recent segment in the index; the fake "wrapping"
 * is the bound format-2 plaintext with a 4-byte marker in front.
 */
const KEYS = new Map(
  CAMERAS.flatMap((c) => Array.from({ length: 3 }, () => [wrappedKeyKey({ deviceId: c, keyId: randomBytes(16).toString('hex') }), randomBytes(16)] as const)),
);
const MARKER = Buffer.from('wrap');
const store: ObjectStore = {
  head: async () => undefined,
  getBytes: async (key) => {
    const k = KEYS.get(key);
    if (!k) return undefined;
    const p = parseObjectKey(key);
    return p.kind === 'key' ? Buffer.concat([MARKER, Buffer.of(2), k, keyBinding(p)]) : undefined;
  },
};
const index = new MemorySegmentIndex();
let seq = 0;
for (const objectKey of KEYS.keys()) {
  const p = parseObjectKey(objectKey);
  if (p.kind !== 'key') continue;
  seq++;
  await index.putSegment(
    toSegmentItem(
      p.deviceId,
      {
        startMs: NOW_MS - 10_000 - seq * 2000,
        durationMs: 2000,
        seq,
        discSeq: 0,
        keyId: p.keyId,
        iv: '00'.repeat(16),
        codecs: 'avc1.64001f',
        width: 640,
        height: 360,
      },
      `k${seq}`,
      10,
      7,
    ),
  );
}
const handler = createKeysHandler({
  config: { corsOrigins: ['*'], targetDurationSeconds: 8, liveWindowSegments: 5 },
  store,
  index,
  unwrapper: { unwrap: async (w) => Buffer.from(w).subarray(MARKER.length) },
  tokenSecrets: staticTokenSecrets([{ version: 'v1', secret: SECRET }]),
  clock: { nowMs: () => NOW_MS },
  cacheEntries: 4,
});

const keyIdsOf = (camera: string) =>
  [...KEYS.keys()].filter((k) => k.startsWith(`keys/${camera}/`)).map((k) => k.slice(`keys/${camera}/`.length, -'.bin'.length));
const tokenFor = (camera: string) =>
  signSessionToken(
    { deviceId: camera, mode: 'LIVE', issuedAtSeconds: NOW_MS / 1000, expiresAtSeconds: NOW_MS / 1000 + 3600 },
    { version: 'v1', secret: SECRET },
  );

function get(path: string, method = 'GET'): Promise<HttpResult> {
  const e = {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { origin: 'https://app.example' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'fuzz' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '21/Nov/2026:12:00:00 +0000',
      timeEpoch: NOW_MS,
    },
    isBase64Encoded: false,
  } satisfies HttpEvent;
  return handler(e);
}

const keyIdLike = fc.oneof(
  fc.constantFrom(...keyIdsOf('cam-1'), ...keyIdsOf('cam-2')),
  fc.stringMatching(/^[0-9a-f]{32}$/),
  fc.constantFrom(`..%2F..%2Fcam-2%2F${keyIdsOf('cam-2')[0]}`, keyIdsOf('cam-1')[0]!.toUpperCase(), `${keyIdsOf('cam-1')[0]}.bin`, '%', '%zz', ''),
  fc.string({ maxLength: 40 }),
);

describe('keys handler (the 16-byte key route)', () => {
  test(
    "a session gets its own camera's keys, byte for byte, and nothing of another camera's",
    async () => {
      await check.async(
        'keys only for the session camera',
        fc.asyncProperty(fc.constantFrom(...CAMERAS), keyIdLike, async (camera, keyId) => {
          const res = await get(`/v1/sessions/${tokenFor(camera)}/keys/${keyId}`);
          expect(res.headers['access-control-allow-origin']).toBe('*');
          const own = KEYS.get(`keys/${camera}/${keyId}.bin`);
          if (own) {
            expect(res.statusCode).toBe(200);
            expect(Buffer.from(String(res.body), 'base64')).toEqual(own);
          } else {
            expect([400, 404], String(res.body)).toContain(res.statusCode);
          }
        }),
      );
    },
    fuzzTimeoutMs(10),
  );

  test(
    'a mutated token never gets a key',
    async () => {
      const token = tokenFor('cam-1');
      const keyId = keyIdsOf('cam-1')[0]!;
      await check.async(
        'mutated tokens get no key',
        fc.asyncProperty(fc.array(stringEdit, { minLength: 1, maxLength: 3 }), async (edits) => {
          const mutated = applyEdits(token, edits);
          // A URL cannot carry a lone surrogate (an edit may split an emoji): nothing to send.
          if (mutated === token || !isWellFormedUtf16(mutated)) return;
          const res = await get(`/v1/sessions/${encodeURIComponent(mutated)}/keys/${keyId}`);
          expect([400, 403, 404], String(res.body)).toContain(res.statusCode);
        }),
      );
    },
    fuzzTimeoutMs(10),
  );

  test(
    'any method and path: a 2xx/4xx answer with CORS, never a 500',
    async () => {
      const seg = fc.oneof(fc.constantFrom('v1', 'sessions', 'keys', tokenFor('cam-1'), '', '%', '%2F'), fc.string({ maxLength: 20 }));
      await check.async(
        'any request',
        fc.asyncProperty(fc.constantFrom('GET', 'POST', 'OPTIONS', 'DELETE'), fc.array(seg, { maxLength: 6 }), async (method, parts) => {
          const res = await get(`/${parts.join('/')}`, method);
          expect([200, 204, 400, 403, 404, 405], String(res.body)).toContain(res.statusCode);
          expect(res.headers['access-control-allow-origin']).toBe('*');
        }),
      );
    },
    fuzzTimeoutMs(10),
  );
});
