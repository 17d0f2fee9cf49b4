import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { createRequire } from 'node:module';
import { PlaybackRoute, routePattern } from '../../contract/index.ts';
import { LocalError } from '../local-error.ts';
import { packagePath } from '../package-root.ts';
import { EMULATOR_REGION } from '../emulators/start-s3rver.ts';
import { AuthFailure, SigV4Failure, verifySigV4, type KnownCredentials } from '../auth/sigv4-verify.ts';
import type { KeptNotification } from '../notify/local-notifier.ts';
import { toApiGatewayEvent, writeHandlerResult, type HandlerResult } from './api-gateway-event.ts';
import { listenLocal } from './listen-local.ts';

/**
 * The playback API on localhost, as API Gateway would front it:
 *
 *   POST /v1/cameras/{id}/sessions, GET /v1/cameras/{id}/timeline|status   IAM (SigV4, service execute-api)
 *   POST|GET /v1/cameras/{id}/clips, GET|DELETE /v1/cameras/{id}/clips/{clipId}   IAM too
 *   GET  /v1/sessions/{token}/keys/{keyId}, .../images/{name}.jpg   the keys handler
 *   GET  /v1/sessions/{token}/...                                   the API handler
 *
 * plus what only local mode has: the player page at /player/ (hls.js from node_modules),
 * `/local/config.json` for the page, `POST /local/cameras/{id}/events` which starts an
 * event on that camera's agent, `PUT /local/cameras/{id}/power {"on": false}` which
 * unplugs a camera (stops its agent) to try out offline notifications, and
 * `GET /local/notifications?after=N`: the notifications (EventBridge event JSON, as the
 * webhook gets them) with a sequence number above N. These answer only this machine's own
 * pages (see localOnlyProblem): config.json holds the local API credentials, the trigger
 * and the power switch change what cameras do.
 */
export type LambdaLikeHandler = (event: ReturnType<typeof toApiGatewayEvent>) => Promise<HandlerResult>;

export interface EventTrigger {
  (cameraId: string, request: { type: string; seconds?: number }): Promise<{ status: number; body: unknown }>;
}

export interface LocalApiServerOptions {
  readonly api: LambdaLikeHandler;
  readonly keys: LambdaLikeHandler;
  /** Credentials allowed on the IAM routes (local service credentials). */
  readonly lookupCredentials: (accessKeyId: string) => KnownCredentials | undefined;
  /** JSON served at /local/config.json (read per request, so it can name late-bound URLs). */
  readonly pageConfig: () => unknown;
  readonly triggerEvent?: EventTrigger;
  /** Unplugs or plugs in a camera (PUT /local/cameras/{id}/power {on}); false: no such camera. */
  readonly cameraPower?: (cameraId: string, on: boolean) => Promise<boolean>;
  /** The notifications after sequence number N (GET /local/notifications?after=N). */
  readonly notifications?: (after: number) => KeptNotification[];
  /** @default 0 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly now?: () => number;
  /**
   * The region IAM routes must be signed for (service execute-api), as API Gateway checks.
   * @default the local stack's region (EMULATOR_REGION)
   */
  readonly region?: string;
}

export interface LocalApiServer {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const PLAYER_DIR = packagePath('local', 'player') + sep;
const HLS_JS = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};
/** Host header values that name this machine's loopback interface, with an optional port. */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;

/**
 * Why a request to a local-only route is refused, or undefined: the Host must be a
 * loopback name (a DNS-rebinding page arrives with its own host name), an Origin, when
 * sent, must be this very origin, and Sec-Fetch-Site, when sent, must say same-origin or
 * none (a user typing the URL). A page elsewhere can neither read the credentials nor
 * start events.
 */
export function localOnlyProblem(headers: IncomingMessage['headers']): string | undefined {
  const host = headers.host ?? '';
  if (!LOOPBACK_HOST.test(host))
    return `Host ${JSON.stringify(host.slice(0, 100))} is not a loopback address: open the player at http://127.0.0.1:{port}/player/`;
  const origin = headers.origin;
  if (origin !== undefined && origin !== `http://${host}`)
    return `Origin ${JSON.stringify(String(origin).slice(0, 100))} is not this page's origin: only the local player page may use this route`;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `a ${JSON.stringify(site)} request: only the local player page may use this route`;
  return undefined;
}

/** Routes API Gateway checks SigV4 on, and the keys function's route (contract/playback-routes.ts). */
const IAM_ROUTES = Object.values(PlaybackRoute)
  .filter((r) => r.auth === 'iam')
  .map((r) => routePattern(r.path));
const KEYS_ROUTES = Object.values(PlaybackRoute)
  .filter((r) => r.fn === 'keys')
  .map((r) => routePattern(r.path));
const EVENT_ROUTE = /^\/local\/cameras\/([^/]+)\/events$/;
const POWER_ROUTE = /^\/local\/cameras\/([^/]+)\/power$/;
const MAX_BODY_BYTES = 64 * 1024;
/** API Gateway's signing name: IAM routes must be signed for it. */
const API_SERVICE = 'execute-api';

/** A request body over MAX_BODY_BYTES: answered 413, the rest of the body drained. */
class BodyTooLargeError extends LocalError {
  override name = 'BodyTooLargeError';
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * Reads the body up to MAX_BODY_BYTES. A larger one (by content-length or as it streams)
 * rejects with BodyTooLargeError at once; the rest is read and dropped, not kept, so the
 * client gets its 413 answer instead of a reset connection.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new BodyTooLargeError(`the request body is over ${MAX_BODY_BYTES} bytes (the API takes small JSON bodies); send less`);
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let n = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      n += c.length;
      if (n > MAX_BODY_BYTES) {
        over = true;
        chunks.length = 0;
        reject(tooLarge());
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const bodyTooLarge = (res: ServerResponse, err: BodyTooLargeError): void =>
  sendJson(res, 413, { error: { code: 'body_too_large', message: err.message } }, { 'access-control-allow-origin': '*' });

async function serveStatic(res: ServerResponse, path: string, method: string): Promise<void> {
  const rel = path.replace(/^\/player\/?/, '') || 'index.html';
  const file = rel === 'hls.min.js' ? HLS_JS : normalize(join(PLAYER_DIR, decodeURIComponent(rel)));
  if (file !== HLS_JS && !file.startsWith(PLAYER_DIR.endsWith(sep) ? PLAYER_DIR : PLAYER_DIR + sep)) {
    sendJson(res, 404, { message: 'Not Found' });
    return;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    sendJson(res, 404, { message: `no file ${path}` });
    return;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': bytes.length,
    'cache-control': 'no-cache',
  });
  res.end(method === 'HEAD' ? undefined : bytes);
}

export async function startLocalApiServer(opts: LocalApiServerOptions): Promise<LocalApiServer> {
  const now = opts.now ?? Date.now;
  const host = opts.host ?? '127.0.0.1';
  const scope = { region: opts.region ?? EMULATOR_REGION, service: API_SERVICE };
  let domainName = host;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/favicon.ico') {
      res.writeHead(204, { 'cache-control': 'max-age=86400' });
      res.end();
      return;
    }
    if (path === '/' || path === '/player') {
      res.writeHead(302, { location: '/player/' });
      res.end();
      return;
    }
    if (path.startsWith('/player/') && (method === 'GET' || method === 'HEAD')) return serveStatic(res, path, method);
    const ev = EVENT_ROUTE.exec(path);
    const power = POWER_ROUTE.exec(path);
    if (path === '/local/config.json' || path === '/local/notifications' || ev || power) {
      const problem = localOnlyProblem(req.headers);
      if (problem) {
        req.resume();
        return sendJson(res, 403, { error: { code: 'local_only', message: problem } });
      }
    }
    if (path === '/local/config.json' && method === 'GET') return sendJson(res, 200, opts.pageConfig());
    if (path === '/local/notifications' && method === 'GET') {
      const after = Number(new URL(req.url ?? '/', 'http://local').searchParams.get('after') ?? 0);
      if (!Number.isSafeInteger(after) || after < 0)
        return sendJson(res, 400, { error: { code: 'bad_after', message: 'after must be a whole number (the seq of the last notification seen)' } });
      const items = opts.notifications?.(after) ?? [];
      return sendJson(res, 200, { notifications: items, last: items.at(-1)?.seq ?? after });
    }
    if (ev) {
      if (method !== 'POST') return sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'use POST' } });
      if (!opts.triggerEvent) return sendJson(res, 404, { error: { code: 'no_agents', message: 'this local stack runs no agents' } });
      let request: { type: string; seconds?: number };
      try {
        request = JSON.parse((await readBody(req)).toString('utf8') || '{}');
      } catch (err) {
        if (err instanceof BodyTooLargeError) return bodyTooLarge(res, err);
        return sendJson(res, 400, { error: { code: 'bad_body', message: 'the body must be JSON like {"type":"motion","seconds":10}' } });
      }
      const answer = await opts.triggerEvent(decodeURIComponent(ev[1]!), request);
      return sendJson(res, answer.status, answer.body);
    }
    if (power) {
      if (method !== 'PUT') return sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'use PUT with {"on": true|false}' } });
      let body: { on?: unknown };
      try {
        body = JSON.parse((await readBody(req)).toString('utf8') || '{}');
      } catch (err) {
        if (err instanceof BodyTooLargeError) return bodyTooLarge(res, err);
        body = {};
      }
      if (typeof body.on !== 'boolean') return sendJson(res, 400, { error: { code: 'bad_body', message: 'the body must be {"on": true} or {"on": false}' } });
      const id = decodeURIComponent(power[1]!);
      if (!opts.cameraPower || !(await opts.cameraPower(id, body.on)))
        return sendJson(res, 404, { error: { code: 'unknown_camera', message: `no camera ${id} in this local stack` } });
      return sendJson(res, 200, { camera: id, on: body.on });
    }
    if (!path.startsWith('/v1/')) return sendJson(res, 404, { message: 'Not Found' });

    let body: Buffer;
    try {
      body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return bodyTooLarge(res, err);
      throw err;
    }
    if (method !== 'OPTIONS' && IAM_ROUTES.some((r) => r.test(path))) {
      // API Gateway's IAM authorizer: a valid SigV4 signature from known credentials, or 403.
      try {
        const who = verifySigV4({ method, url: req.url ?? '/', headers: req.headers, body }, opts.lookupCredentials, now(), scope);
        if (!who)
          return sendJson(
            res,
            403,
            { message: 'Missing Authentication Token: sign the request with SigV4 (service execute-api)' },
            { 'access-control-allow-origin': '*' },
          );
      } catch (err) {
        if (!(err instanceof SigV4Failure)) throw err;
        // API Gateway answers a wrong credential scope with 403, other malformed signatures with 400.
        const status = err.kind !== 'WRONG_SCOPE' && AuthFailure[err.kind].status === 400 ? 400 : 403;
        return sendJson(res, status, { message: err.message }, { 'access-control-allow-origin': '*' });
      }
    }
    const event = toApiGatewayEvent(req, body, { domainName, requestId: randomUUID(), nowMs: now() });
    const result = KEYS_ROUTES.some((r) => r.test(path)) ? await opts.keys(event) : await opts.api(event);
    writeHandlerResult(res, result, method);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy(err as Error);
      else sendJson(res, 500, { error: { code: 'internal', message: `local API server: ${(err as Error).message}` } });
    });
  });
  const listener = await listenLocal(server, { host, port: opts.port, what: 'the local API', hint: 'choose another --port' });
  const { port } = listener;
  domainName = `${host}:${port}`;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: listener.stop,
  };
}
