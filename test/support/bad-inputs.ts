import { signSessionToken, type SessionClaims, type TokenSigningKey } from '../../contract/index.ts';

/**
 * The playback API's bad inputs, written once: test/lambda/api/bad-inputs.test.ts sends each
 * to the handlers in process, test/abuse/api-abuse.test.ts sends each over real HTTP to the
 * local stack (SigV4-signed on the IAM routes). Each must answer `status` with one of
 * `codes` as `{error: {code, message}}`.
 */
export interface BadInputContext {
  /** The camera the caller may use, and another one with recordings. */
  readonly camera: string;
  readonly otherCamera: string;
  /** A genuine LIVE session token for `camera`, as the API issued it. */
  readonly token: string;
  /** The deployment's token signing key (to make tokens it really signed: expired, other modes). */
  readonly tokenKey: TokenSigningKey;
  /** A key id of `otherCamera`'s recordings. */
  readonly otherCameraKeyId: string;
  readonly nowMs: number;
}

export interface BadRequest {
  readonly method: string;
  /** The raw path with its query, sent as is (no normalisation). */
  readonly path: string;
  readonly body?: string;
}

export interface BadInput {
  readonly name: string;
  readonly request: (c: BadInputContext) => BadRequest;
  readonly status: number;
  /** The accepted error codes (a camera id an HTTP front refuses as a bad path is as good as a bad camera id). */
  readonly codes: readonly string[];
}

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();
const json = (o: unknown) => JSON.stringify(o);
const RANGE = 'start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00Z';

const session =
  (body: string) =>
  (c: BadInputContext): BadRequest => ({ method: 'POST', path: `/v1/cameras/${c.camera}/sessions`, body });
const timeline =
  (query: string) =>
  (c: BadInputContext): BadRequest => ({ method: 'GET', path: `/v1/cameras/${c.camera}/timeline?${query}` });
const claims = (c: BadInputContext, over: Partial<SessionClaims> = {}): SessionClaims => {
  const nowS = Math.floor(c.nowMs / 1000);
  return { deviceId: c.camera, mode: 'LIVE', issuedAtSeconds: nowS - 60, expiresAtSeconds: nowS + 600, ...over };
};
const b64url = (s: string) => Buffer.from(s).toString('base64url');
/** The genuine token with its payload rewritten (the MAC no longer matches). */
const altered = (c: BadInputContext, change: (claims: Record<string, unknown>) => Record<string, unknown>): string => {
  const [v, p, m] = c.token.split('.');
  return `${v}.${b64url(JSON.stringify(change(JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>)))}.${m}`;
};

/** Camera ids with traversal, injection and encodings: refused on both IAM routes. */
const CAMERA_IDS: readonly [name: string, id: (c: BadInputContext) => string][] = [
  ['dot-dot', () => '..'],
  ['dot-dot percent-encoded', () => '%2e%2e'],
  ['traversal to /etc/passwd', () => '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd'],
  ['encoded slash into another camera', (c) => `${c.camera}%2F..%2F${c.otherCamera}`],
  ['backslash traversal', (c) => `${c.camera}%5C..%5C${c.otherCamera}`],
  ['NUL byte', () => '%00'],
  ['NUL after a valid id', (c) => `${c.camera}%00`],
  ['single quote', (c) => `${c.camera}'`],
  ['double quote', (c) => `${c.camera}%22`],
  ['SQL-style injection', (c) => `${c.camera}'%20OR%20'1'%3D'1`],
  ['NoSQL-style injection', () => '%7B%22%24ne%22%3A%22%22%7D'],
  ['HTML', () => '%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
  ['CRLF header injection', (c) => `${c.camera}%0D%0ASet-Cookie%3A%20x%3D1`],
  ['129 characters', () => 'A'.repeat(129)],
  ['Cyrillic', () => '%D0%BA%D0%B0%D0%BC%D0%B5%D1%80%D0%B0'],
  ['emoji', () => '%F0%9F%93%B7'],
  ['fullwidth dot-dot', () => '%EF%BC%8E%EF%BC%8E'],
  ['broken percent-encoding', () => '%ff'],
  ['space', (c) => `cam%20${c.camera}`],
  ['a star', () => 'a*b'],
];

export const BAD_INPUTS: readonly BadInput[] = [
  ...CAMERA_IDS.flatMap(([name, id]): BadInput[] => [
    {
      name: `camera id ${name}: session`,
      request: (c) => ({ method: 'POST', path: `/v1/cameras/${id(c)}/sessions`, body: '{"mode":"LIVE"}' }),
      status: 400,
      codes: ['bad_camera_id', 'bad_path'],
    },
    {
      name: `camera id ${name}: timeline`,
      request: (c) => ({ method: 'GET', path: `/v1/cameras/${id(c)}/timeline?${RANGE}` }),
      status: 400,
      codes: ['bad_camera_id', 'bad_path'],
    },
  ]),
  {
    name: 'path over 2048 characters',
    request: () => ({ method: 'GET', path: `/v1/cameras/${'A'.repeat(3000)}/timeline?${RANGE}` }),
    status: 400,
    codes: ['bad_path'],
  },

  // Session bodies.
  { name: 'session body: empty', request: session(''), status: 400, codes: ['bad_body'] },
  { name: 'session body: not JSON', request: session('mode=LIVE'), status: 400, codes: ['bad_body'] },
  { name: 'session body: half an object', request: session('{mode: LIVE'), status: 400, codes: ['bad_body'] },
  { name: 'session body: a JSON array', request: session('["LIVE"]'), status: 400, codes: ['bad_body'] },
  { name: 'session body: unknown mode', request: session('{"mode":"ADMIN"}'), status: 400, codes: ['bad_body'] },
  {
    name: 'session body: an extra field naming another camera',
    request: (c) => session(json({ mode: 'LIVE', camera: c.otherCamera }))(c),
    status: 400,
    codes: ['bad_body'],
  },
  { name: 'session body: prototype pollution', request: session('{"mode":"LIVE","__proto__":{"admin":true}}'), status: 400, codes: ['bad_body'] },
  { name: 'session body: expiresInSeconds huge', request: session('{"mode":"LIVE","expiresInSeconds":1000000000000}'), status: 400, codes: ['bad_body'] },
  { name: 'session body: expiresInSeconds negative', request: session('{"mode":"LIVE","expiresInSeconds":-1}'), status: 400, codes: ['bad_body'] },
  { name: 'session body: expiresInSeconds too short', request: session('{"mode":"LIVE","expiresInSeconds":10}'), status: 400, codes: ['bad_body'] },
  { name: 'session body: expiresInSeconds over 12 h', request: session('{"mode":"LIVE","expiresInSeconds":43201}'), status: 400, codes: ['bad_body'] },
  { name: 'session body: expiresInSeconds a string', request: session('{"mode":"LIVE","expiresInSeconds":"3600"}'), status: 400, codes: ['bad_body'] },
  { name: 'session body: expiresInSeconds fractional', request: session('{"mode":"LIVE","expiresInSeconds":300.5}'), status: 400, codes: ['bad_body'] },
  {
    name: 'session body: ON_DEMAND over 24 h',
    request: session(json({ mode: 'ON_DEMAND', start: iso(T0), end: iso(T0 + DAY_MS + 1) })),
    status: 400,
    codes: ['bad_range'],
  },
  {
    name: 'session body: ON_DEMAND end before start',
    request: session(json({ mode: 'ON_DEMAND', start: iso(T0), end: iso(T0 - 1) })),
    status: 400,
    codes: ['bad_range'],
  },
  {
    name: 'session body: ON_DEMAND end equal to start',
    request: session(json({ mode: 'ON_DEMAND', start: iso(T0), end: iso(T0) })),
    status: 400,
    codes: ['bad_range'],
  },
  { name: 'session body: ON_DEMAND without end', request: session(json({ mode: 'ON_DEMAND', start: iso(T0) })), status: 400, codes: ['bad_range'] },
  { name: 'session body: LIVE with a start', request: session(json({ mode: 'LIVE', start: iso(T0) })), status: 400, codes: ['bad_range'] },
  { name: 'session body: LIVE_REPLAY without start', request: session('{"mode":"LIVE_REPLAY"}'), status: 400, codes: ['bad_range'] },
  { name: 'session body: start not ISO', request: session('{"mode":"LIVE_REPLAY","start":"yesterday"}'), status: 400, codes: ['bad_time'] },
  { name: 'session body: start in year 10000', request: session('{"mode":"LIVE_REPLAY","start":"10000-01-01T00:00:00Z"}'), status: 400, codes: ['bad_time'] },
  { name: 'session body: start month 13', request: session('{"mode":"LIVE_REPLAY","start":"2026-13-01T00:00:00Z"}'), status: 400, codes: ['bad_time'] },
  { name: 'session body: start without a zone', request: session('{"mode":"LIVE_REPLAY","start":"2026-01-01T00:00:00"}'), status: 400, codes: ['bad_time'] },
  { name: 'session body: start as an epoch number', request: session(json({ mode: 'LIVE_REPLAY', start: T0 })), status: 400, codes: ['bad_body'] },
  { name: 'session body: 5,000 characters', request: session(json({ mode: 'LIVE', pad: 'x'.repeat(5000) })), status: 400, codes: ['bad_body'] },
  { name: 'session body: deeply nested JSON', request: session(`{"mode":${'['.repeat(1500)}${']'.repeat(1500)}}`), status: 400, codes: ['bad_body'] },

  // Timeline queries.
  { name: 'timeline: no start', request: timeline('end=2026-01-02T00:00:00Z'), status: 400, codes: ['bad_time'] },
  { name: 'timeline: end not ISO', request: timeline('start=2026-01-01T00:00:00Z&end=now'), status: 400, codes: ['bad_time'] },
  { name: 'timeline: injection in start', request: timeline("start='%20OR%201%3D1%20--&end=2026-01-02T00:00:00Z"), status: 400, codes: ['bad_time'] },
  {
    name: 'timeline: start repeated',
    request: timeline('start=2026-01-01T00:00:00Z&start=2026-01-01T01:00:00Z&end=2026-01-02T00:00:00Z'),
    status: 400,
    codes: ['bad_time'],
  },
  { name: 'timeline: start of 10,000 characters', request: timeline(`start=${'9'.repeat(10_000)}&end=2026-01-02T00:00:00Z`), status: 400, codes: ['bad_time'] },
  { name: 'timeline: range over 31 days', request: timeline('start=2026-01-01T00:00:00Z&end=2026-02-02T00:00:00Z'), status: 400, codes: ['bad_range'] },
  { name: 'timeline: range over a century', request: timeline('start=2000-01-01T00:00:00Z&end=9999-12-31T23:59:59Z'), status: 400, codes: ['bad_range'] },
  { name: 'timeline: end before start', request: timeline('start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z'), status: 400, codes: ['bad_range'] },
  { name: 'timeline: limit 0', request: timeline(`${RANGE}&limit=0`), status: 400, codes: ['bad_limit'] },
  { name: 'timeline: limit 1e9', request: timeline(`${RANGE}&limit=1000000000`), status: 400, codes: ['bad_limit'] },
  { name: 'timeline: limit negative', request: timeline(`${RANGE}&limit=-5`), status: 400, codes: ['bad_limit'] },
  { name: 'timeline: cursor traversal', request: timeline(`${RANGE}&cursor=..%2F..%2Fx`), status: 400, codes: ['bad_cursor'] },
  { name: 'timeline: cursor not a number', request: timeline(`${RANGE}&cursor=abc`), status: 400, codes: ['bad_cursor'] },
  { name: 'timeline: cursor outside the range', request: timeline(`${RANGE}&cursor=1`), status: 400, codes: ['bad_cursor'] },

  // Session tokens, on the playlist route.
  ...(
    [
      ['token not three parts', () => 'abc', 403, 'token_malformed'],
      ['token dot-dot', () => '..', 403, 'token_malformed'],
      ['token dot-dot percent-encoded', () => '%2e%2e', 403, 'token_malformed'],
      ['token NUL', () => '%00', 403, 'token_malformed'],
      ['token quote', () => "'", 403, 'token_malformed'],
      ['token in Cyrillic', () => '%D1%82%D0%BE%D0%BA%D0%B5%D0%BD', 403, 'token_malformed'],
      ['token broken percent-encoding', () => '%ff', 400, 'bad_path'],
      ['token with a bad character', (c) => c.token.replace('.', '.$'), 403, 'token_malformed'],
      ['token over 1024 characters', (c) => `${c.token}${'A'.repeat(1100)}`, 403, 'token_malformed'],
      ['token JSON in place of base64url', () => encodeURIComponent('v1.{"c":"camA","m":"LIVE","x":9999999999}.x'), 403, 'token_malformed'],
      ['token with an empty MAC', (c) => c.token.slice(0, c.token.lastIndexOf('.') + 1), 403, 'token_malformed'],
      ['token payload rewritten to the other camera', (c) => altered(c, (p) => ({ ...p, c: c.otherCamera })), 403, 'token_invalid'],
      ['token expiry pushed a year out', (c) => altered(c, (p) => ({ ...p, x: Math.floor(c.nowMs / 1000) + 365 * 86_400 })), 403, 'token_invalid'],
      ['token MAC truncated', (c) => c.token.slice(0, -1), 403, 'token_invalid'],
      [
        'token signed with another secret',
        (c) => signSessionToken(claims(c), { version: c.tokenKey.version, secret: new Uint8Array(32).fill(9) }),
        403,
        'token_invalid',
      ],
      ['token with an unknown key version', (c) => signSessionToken(claims(c), { version: 'attacker-1', secret: c.tokenKey.secret }), 403, 'token_invalid'],
      [
        'token expired a second ago',
        (c) => signSessionToken(claims(c, { expiresAtSeconds: Math.floor(c.nowMs / 1000) - 1 }), c.tokenKey),
        403,
        'token_expired',
      ],
    ] as const satisfies readonly (readonly [string, (c: BadInputContext) => string, number, string])[]
  ).map(([name, token, status, code]): BadInput => ({
    name: `playlist: ${name}`,
    request: (c) => ({ method: 'GET', path: `/v1/sessions/${token(c)}/playlist.m3u8` }),
    status,
    codes: [code],
  })),

  // Names under a valid session.
  ...(
    [
      ['key id traversal', (c) => `keys/..%2F..%2Fkeys%2F${c.otherCamera}%2F0123456789abcdef0123456789abcdef`, 'key_not_found'],
      ['key id NUL', () => 'keys/%00', 'key_not_found'],
      ['key id upper-case hex', () => 'keys/ABCDEF0123456789ABCDEF0123456789', 'key_not_found'],
      ['key id with .bin', () => 'keys/0123456789abcdef0123456789abcdef.bin', 'key_not_found'],
      ["the other camera's key id", (c) => `keys/${c.otherCameraKeyId}`, 'key_not_found'],
      ['segment name traversal', (c) => `segments/..%2F..%2Fkeys%2F${c.camera}%2Fx.bin`, 'segment_not_found'],
      ['segment name NUL', () => 'segments/1-1.ts%00.m3u8', 'segment_not_found'],
      ['segment gap placeholder', () => 'segments/gap-3.ts', 'segment_not_found'],
      ['picture name traversal', (c) => `images/..%2F..%2Fkeys%2F${c.camera}%2Fx.jpg`, 'image_not_found'],
      ['picture name traversal to the other camera', (c) => `images/..%2F..%2Fimages%2F${c.otherCamera}%2F1-ab.jpg`, 'image_not_found'],
      ['picture name NUL', () => 'images/1-ab%00.jpg', 'image_not_found'],
      ['picture name not {tsMs}-{id}', () => 'images/latest.jpg', 'image_not_found'],
      ['picture id with a dash', () => 'images/1-a-b.jpg', 'image_not_found'],
      ['picture name without .jpg', () => 'images/1-ab', 'image_not_found'],
    ] as const satisfies readonly (readonly [string, (c: BadInputContext) => string, string])[]
  ).map(([name, rest, code]): BadInput => ({
    name: `valid session: ${name}`,
    request: (c) => ({ method: 'GET', path: `/v1/sessions/${c.token}/${rest(c)}` }),
    status: 404,
    codes: [code],
  })),

  // Methods and routes.
  { name: 'unknown route', request: () => ({ method: 'GET', path: '/v1/cameras' }), status: 404, codes: ['unknown_route'] },
  { name: 'unknown camera route', request: (c) => ({ method: 'GET', path: `/v1/cameras/${c.camera}/recordings` }), status: 404, codes: ['unknown_route'] },
  {
    name: 'DELETE a playlist',
    request: (c) => ({ method: 'DELETE', path: `/v1/sessions/${c.token}/playlist.m3u8` }),
    status: 405,
    codes: ['method_not_allowed'],
  },
  {
    name: 'POST to a key',
    request: (c) => ({ method: 'POST', path: `/v1/sessions/${c.token}/keys/${c.otherCameraKeyId}`, body: '{}' }),
    status: 405,
    codes: ['method_not_allowed'],
  },
];

/** The path and the query of a BadRequest, for transports that take them apart (API Gateway events). */
export function splitPath(path: string): { rawPath: string; rawQuery: string } {
  const q = path.indexOf('?');
  return q < 0 ? { rawPath: path, rawQuery: '' } : { rawPath: path.slice(0, q), rawQuery: path.slice(q + 1) };
}
