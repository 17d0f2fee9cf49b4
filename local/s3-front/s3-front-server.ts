import { randomBytes, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { CredentialRegistry, RegisteredCredentials } from '../iot/credential-registry.ts';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked.ts';
import { LOCAL_THING_TYPE } from '../iot/iot-credential-provider.ts';
import { deviceMay, S3Action, unsafeKeyProblem } from './device-policy.ts';
import { s3ErrorXml } from './s3-error-xml.ts';
import { AuthFailure, SigV4Failure, UNSIGNED_PAYLOAD, verifySigV4 } from '../auth/sigv4-verify.ts';
import { EMULATOR_REGION } from '../emulators/start-s3rver.ts';
import { CHECKSUM_SHA256_HEADER } from '../../contract/index.ts';
import { FRONT_CHECKSUM_HEADER } from './front-checksum.ts';
import { listenLocal } from '../http/listen-local.ts';
import { keyLock } from './key-lock.ts';
import { classifyS3Request, s3ObjectPath, splitS3Path, stripPresignQuery, type Target } from './s3-request-target.ts';
import { corsHeaders, relayToUpstream } from './upstream-relay.ts';

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
  /**
   * s3rver's base URL, e.g. http://127.0.0.1:4569, or a promise of it: the front can listen
   * (and cameras can be pointed at it) while s3rver is still starting; requests that pass the
   * checks wait for it. If the promise rejects, they answer 503 ServiceUnavailable.
   */
  readonly upstream: string | Promise<string>;
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

/** The whole request body, refused (MALFORMED) past `max` bytes. */
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
  const upstream = Promise.resolve(opts.upstream).then((u) => new URL(u));
  upstream.catch(() => {}); // answered per request (503), not an unhandled rejection
  const now = opts.now ?? Date.now;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const host = opts.host ?? '127.0.0.1';
  const scope = { region: opts.region ?? EMULATOR_REGION, service: 's3' };
  const withKeyLock = keyLock();

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
    extra?: OutgoingHttpHeaders,
  ) => upstream.then((u) => relayToUpstream(u, req, res, path, method, body, extra));

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
  const listener = await listenLocal(server, { host, port: opts.port, what: 'the local S3 front' });
  const { port } = listener;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    stop: listener.stop,
  };
}
