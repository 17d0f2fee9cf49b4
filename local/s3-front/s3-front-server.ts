import { randomBytes, createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { LocalStartError } from '../local-error.ts';
import type { CredentialRegistry, RegisteredCredentials } from '../iot/credential-registry.ts';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked.ts';
import { LOCAL_THING_TYPE } from '../iot/iot-credential-provider.ts';
import { deviceMay, S3Action, unsafeKeyProblem, type S3ActionName } from './device-policy.ts';
import { s3ErrorXml } from './s3-error-xml.ts';
import { AuthFailure, SigV4Failure, UNSIGNED_PAYLOAD, verifySigV4 } from '../auth/sigv4-verify.ts';
import { EMULATOR_REGION } from '../emulators/start-s3rver.ts';
import { CHECKSUM_SHA256_HEADER } from '../../contract/index.ts';
import { FRONT_CHECKSUM_HEADER } from './front-checksum.ts';

/**
 * The local S3 front: an HTTP server in front of s3rver that does what S3 and IAM do and
 * s3rver does not:
 *
 * - verifies each caller's SigV4 signature (header or presigned) against the credentials
 *   the local IoT provider issued (or the local service credentials), with session token,
 *   clock skew and expiry (ExpiredToken);
 * - enforces the device policy (`deviceMay`): PutObject with If-None-Match: * under the
 *   device's own prefixes, for things of the camera thing type, nothing else; the key it
 *   checks is exactly the key it forwards (the path is split and percent-decoded once, never
 *   normalised, and re-encoded from the checked key), and keys with backslashes or dot
 *   segments are refused for everyone;
 * - answers 412 PreconditionFailed to `If-None-Match: *` when the key exists
 *   (conditional PUTs to one key are serialised, so two racing writers get 200 and 412);
 * - decodes aws-chunked bodies;
 * - checks `x-amz-checksum-sha256` on PUT (400 BadDigest when the body does not match),
 *   keeps it beside the object and returns it to HEAD/GET with `x-amz-checksum-mode:
 *   ENABLED`, as S3 does (see front-checksum.ts);
 * - answers CORS itself, so a browser can fetch presigned segment URLs.
 *
 * Allowed requests go to s3rver with the authentication stripped (s3rver does not check
 * SigV4 and lets anonymous requests through), path-style.
 */
export interface S3FrontOptions {
  /** s3rver's base URL, e.g. http://127.0.0.1:4569 */
  readonly upstream: string;
  /** The one bucket devices write to. */
  readonly bucket: string;
  /**
   * The thing type devices must be of (the device role's credentials-iot:ThingTypeName condition).
   * @default LOCAL_THING_TYPE
   */
  readonly deviceThingType?: string;
  readonly registry: CredentialRegistry;
  /** @default 0 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * The region requests must be signed for (service s3), as S3 checks.
   * @default the local stack's region (EMULATOR_REGION)
   */
  readonly region?: string;
  /** Largest request body accepted, bytes. @default 64 MiB */
  readonly maxBodyBytes?: number;
}

export interface S3Front {
  /** e.g. http://127.0.0.1:40125 (use with forcePathStyle: true) */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Headers that describe how the caller authenticated or framed the body; s3rver gets neither. */
const STRIPPED_HEADERS = new Set([
  'authorization',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'x-amz-date',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'x-amz-sdk-checksum-algorithm',
  'content-encoding',
  'transfer-encoding',
  'expect',
  'host',
  'connection',
  'if-none-match',
]);
const PRESIGN_QUERY = /^X-Amz-(Algorithm|Credential|Date|Expires|SignedHeaders|Signature|Security-Token)$/i;

interface Target {
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  readonly action: S3ActionName;
  readonly isCopy: boolean;
}

/**
 * Splits a request target into bucket and key exactly as S3 reads it: the raw path is
 * split at the first `/` after the bucket and percent-decoded once. No WHATWG URL
 * parsing: that turns `\` into `/` and resolves `..`, so the key checked would not be
 * the key stored.
 */
export function splitS3Path(url: string): { bucket: string | undefined; key: string | undefined; query: string } {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const m = /^\/([^/]*)(?:\/(.*))?$/s.exec(rawPath);
  if (!m) throw new SigV4Failure('MALFORMED', `request target ${JSON.stringify(rawPath.slice(0, 100))} does not start with /`);
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new SigV4Failure('MALFORMED', 'the request path is not valid percent-encoding');
    }
  };
  return { bucket: m[1] ? decode(m[1]) : undefined, key: m[2] ? decode(m[2]) : undefined, query };
}

/** The upstream path for a bucket and key: each key byte that is not unreserved is percent-encoded, `/` kept. */
export function s3ObjectPath(bucket: string, key: string | undefined): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `/${enc(bucket)}${key === undefined ? '' : `/${key.split('/').map(enc).join('/')}`}`;
}

/** What an S3 REST request does, by method, path (`/{bucket}/{key}`) and sub-resource. */
export function classifyS3Request(method: string, url: string, headers: IncomingMessage['headers']): Target {
  const { bucket, key } = splitS3Path(url);
  const u = new URL(`http://local/?${splitS3Path(url).query}`);
  const subresource = [...u.searchParams.keys()].filter((k) => !PRESIGN_QUERY.test(k) && !k.startsWith('x-id') && !k.startsWith('response-'));
  const isCopy = headers['x-amz-copy-source'] !== undefined;
  let action: S3ActionName = S3Action.OTHER;
  if (bucket && key && subresource.every((s) => s === 'uploadId' || s === 'partNumber')) {
    if (method === 'PUT') action = S3Action.PUT_OBJECT;
    else if (method === 'GET' || method === 'HEAD') action = subresource.length ? S3Action.OTHER : S3Action.GET_OBJECT;
    else if (method === 'DELETE') action = S3Action.DELETE_OBJECT;
  } else if (
    bucket &&
    !key &&
    (method === 'GET' || method === 'HEAD') &&
    subresource.every((s) =>
      ['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'marker', 'encoding-type', 'fetch-owner'].includes(s),
    )
  ) {
    action = S3Action.LIST_BUCKET;
  }
  return { bucket, key, action, isCopy };
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (c: Buffer) => {
      total += c.length;
      if (total > max) {
        reject(new SigV4Failure('MALFORMED', `request body larger than ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startS3Front(opts: S3FrontOptions): Promise<S3Front> {
  const upstream = new URL(opts.upstream);
  const now = opts.now ?? Date.now;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const host = opts.host ?? '127.0.0.1';
  const scope = { region: opts.region ?? EMULATOR_REGION, service: 's3' };
  /** key -> tail of the queue of conditional PUTs to it. */
  const keyLocks = new Map<string, Promise<void>>();
  const sockets = new Set<Socket>();

  // '*' rather than the echoed origin: after the playback API's cross-origin 302 the
  // browser sends `Origin: null`, and presigned URLs carry no cookies anyway.
  const corsHeaders = (_req: IncomingMessage): OutgoingHttpHeaders => ({
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'ETag, x-amz-request-id, Content-Length, Content-Range',
  });

  const sendError = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, resource: string): void => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const body = req.method === 'HEAD' ? '' : s3ErrorXml(code, message, resource, requestId);
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': requestId, ...corsHeaders(req) });
    res.end(body);
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse | undefined,
    path: string,
    method: string,
    body: Buffer | undefined,
    extra: OutgoingHttpHeaders = {},
  ): Promise<{ status: number }> =>
    new Promise((resolve, reject) => {
      const headers: OutgoingHttpHeaders = {};
      // A probe (no response to relay) sends no caller headers: they describe the caller's body.
      if (res) {
        for (const [k, v] of Object.entries(req.headers)) {
          if (!STRIPPED_HEADERS.has(k) && !k.startsWith('x-amz-checksum-') && k !== FRONT_CHECKSUM_HEADER && k !== 'content-length' && v !== undefined)
            headers[k] = v;
        }
      }
      Object.assign(headers, extra);
      if (body) headers['content-length'] = body.length;
      const up = request({ host: upstream.hostname, port: upstream.port, method, path, headers }, (upRes) => {
        if (!res) {
          upRes.resume();
          upRes.on('end', () => resolve({ status: upRes.statusCode ?? 502 }));
          return;
        }
        const { [FRONT_CHECKSUM_HEADER]: kept, ...upHeaders } = upRes.headers;
        const outHeaders: OutgoingHttpHeaders = { ...upHeaders, ...corsHeaders(req) };
        if (kept && String(req.headers['x-amz-checksum-mode']).toUpperCase() === 'ENABLED') outHeaders[CHECKSUM_SHA256_HEADER] = kept;
        res.writeHead(upRes.statusCode ?? 502, outHeaders);
        upRes.pipe(res);
        upRes.on('end', () => resolve({ status: upRes.statusCode ?? 502 }));
        upRes.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
    });

  const withKeyLock = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const previous = keyLocks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    keyLocks.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (keyLocks.get(key) === tail) keyLocks.delete(key);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const resource = url.split('?')[0]!;
    if (req.method === 'OPTIONS') {
      res.writeHead(200, {
        ...corsHeaders(req),
        'access-control-allow-methods': 'GET, HEAD, PUT',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        'access-control-max-age': '3600',
        'content-length': 0,
      });
      res.end();
      return;
    }
    let caller: RegisteredCredentials | undefined;
    try {
      const akid = verifySigV4({ method: req.method ?? 'GET', url, headers: req.headers }, (id) => opts.registry.lookup(id), now(), scope);
      caller = akid ? opts.registry.lookup(akid) : undefined;
    } catch (err) {
      if (err instanceof SigV4Failure) {
        const f = AuthFailure[err.kind];
        sendError(req, res, f.status, f.code, err.message, resource);
        return;
      }
      throw err;
    }
    if (!caller) {
      sendError(req, res, 403, 'AccessDenied', 'Access Denied: anonymous requests are not allowed; sign the request with SigV4', resource);
      return;
    }
    let target: Target;
    try {
      target = classifyS3Request(req.method ?? 'GET', url, req.headers);
    } catch (err) {
      if (!(err instanceof SigV4Failure)) throw err;
      sendError(req, res, 400, 'InvalidURI', `Couldn't parse the specified URI: ${err.message}`, resource);
      return;
    }
    const unsafe = target.key === undefined ? undefined : unsafeKeyProblem(target.key);
    if (unsafe) {
      sendError(req, res, 403, 'AccessDenied', `Access Denied: ${unsafe} (camrec object keys never contain them)`, resource);
      return;
    }
    const ifNoneMatch = req.headers['if-none-match'];
    if (caller.principal.kind === 'device') {
      const decision = deviceMay(
        { bucket: opts.bucket, thingTypeName: opts.deviceThingType ?? LOCAL_THING_TYPE },
        {
          thingName: caller.principal.thingName,
          thingTypeName: caller.principal.thingTypeName,
          action: target.action,
          bucket: target.bucket ?? '',
          key: target.key,
          ifNoneMatch,
          isCopy: target.isCopy,
        },
      );
      if (!decision.allowed) {
        sendError(req, res, 403, 'AccessDenied', `Access Denied: ${decision.reason}`, resource);
        return;
      }
    }

    let body: Buffer | undefined;
    if (req.method === 'PUT' || req.method === 'POST') {
      body = await readBody(req, maxBody);
      const sha = req.headers['x-amz-content-sha256'];
      if (typeof sha === 'string' && /^[0-9a-f]{64}$/.test(sha) && createHash('sha256').update(body).digest('hex') !== sha) {
        sendError(req, res, 400, 'XAmzContentSHA256Mismatch', 'the provided x-amz-content-sha256 header does not match what was computed', resource);
        return;
      }
      if (isAwsChunked(req.headers) && sha !== UNSIGNED_PAYLOAD) {
        try {
          body = decodeAwsChunked(body);
        } catch (err) {
          sendError(req, res, 400, 'IncompleteBody', (err as Error).message, resource);
          return;
        }
      }
    } else {
      req.resume();
    }

    const extra: OutgoingHttpHeaders = {};
    const checksum = req.headers[CHECKSUM_SHA256_HEADER];
    if (body && target.action === S3Action.PUT_OBJECT && typeof checksum === 'string') {
      if (createHash('sha256').update(body).digest('base64') !== checksum) {
        sendError(req, res, 400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.', resource);
        return;
      }
      extra[FRONT_CHECKSUM_HEADER] = checksum;
    }

    // Forward exactly the bucket and key that were checked, re-encoded from their decoded form.
    const keptQuery = stripPresignQuery(`?${splitS3Path(url).query}`);
    const upstreamPath = `${target.bucket === undefined ? '/' : s3ObjectPath(target.bucket, target.key)}${keptQuery === '?' ? '' : keptQuery}`;
    if (target.action === S3Action.PUT_OBJECT && ifNoneMatch !== undefined && target.key) {
      if (String(ifNoneMatch).trim() !== '*') {
        sendError(req, res, 501, 'NotImplemented', 'If-None-Match on PUT only supports *', resource);
        return;
      }
      const lockKey = `${target.bucket}/${target.key}`;
      await withKeyLock(lockKey, async () => {
        const head = await forward(req, undefined, upstreamPath.split('?')[0]!, 'HEAD', undefined);
        if (head.status === 200) {
          sendError(req, res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold (the object already exists)', resource);
          return;
        }
        await forward(req, res, upstreamPath, 'PUT', body, extra);
      });
      return;
    }
    await forward(req, res, upstreamPath, req.method ?? 'GET', body, extra);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy(err as Error);
        return;
      }
      sendError(
        req,
        res,
        503,
        'ServiceUnavailable',
        `the local S3 front could not reach s3rver: ${(err as Error).message}; is the local stack running?`,
        (req.url ?? '/').split('?')[0]!,
      );
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(new LocalStartError(`the local S3 front could not listen on ${host}:${opts.port ?? 0}: ${(cause as Error).message}`, { cause })),
    );
    server.listen(opts.port ?? 0, host, () => resolve((server.address() as { port: number }).port));
  });
  return {
    endpoint: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function stripPresignQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((p) => p && !PRESIGN_QUERY.test(decodeURIComponent(p.split('=')[0]!)));
  return kept.length ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}
