import { timingSafeEqual } from 'node:crypto';
import { chmod, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_IMAGE_BYTES } from '../../contract/index.ts';
import { AgentError, ControlError } from '../core/agent-errors.ts';
import type { AgentStatus } from '../core/agent-status.ts';
import type { Logger } from '../core/json-logger.ts';
import type { EventSpan, RecordingModeName } from '../recording/recording-policy.ts';

/**
 * The local control endpoint (127.0.0.1 only, or a Unix socket) that the camera's motion
 * detector calls. JSON in, JSON out:
 *
 *   GET  /v1/status                                   the status answer
 *   POST /v1/events       {type, eventId?, durationSeconds?}  -> 201 {eventId}
 *   POST /v1/events/stop                              -> {event} (null if none was open)
 *   PUT  /v1/privacy      {paused: boolean}
 *   PUT  /v1/audio        {enabled: boolean}
 *   PUT  /v1/mode         {mode: "continuous" | "event"}
 *   PUT  /v1/upload       {maxBytesPerSecond: number | null, backlogWindows?: ["HH:MM-HH:MM", ...]}
 *   POST /v1/images[?ts=UTC ms]  the JPEG itself (Content-Type: image/jpeg, at most 1 MiB)
 *                                -> 201 {objectKey}, or 200 {recorded: false} in privacy pause
 *
 * Errors: 400 {error: {code, message}} for a bad request, 404/405 for unknown routes.
 *
 * Who may call it (anything on the camera can reach 127.0.0.1, including a browser
 * showing some web page, and a DNS-rebinding page whose host name now points at
 * 127.0.0.1):
 * - over TCP, the Host header must name a loopback address (127.0.0.1, localhost, [::1]),
 *   so a rebinding page (Host: attacker.example) is refused with 421;
 * - a request carrying an Origin header (every cross-site browser request does) is
 *   refused with 403: the callers are local programs, not web pages;
 * - a request with a body must say Content-Type: application/json (image/jpeg on
 *   /v1/images; 415 otherwise), which a cross-site form or text/plain POST cannot do without
 *   a CORS preflight this server never grants;
 * - with `token` set (device.json control.token), every request must carry
 *   Authorization: Bearer {token} (401 otherwise), compared in constant time;
 * - a Unix socket is created mode 0600 (only the agent's user may connect).
 */
export const ControlRoute = {
  STATUS: '/v1/status',
  EVENTS: '/v1/events',
  EVENTS_STOP: '/v1/events/stop',
  PRIVACY: '/v1/privacy',
  AUDIO: '/v1/audio',
  MODE: '/v1/mode',
  UPLOAD: '/v1/upload',
  IMAGES: '/v1/images',
} as const;

const JPEG_TYPE = 'image/jpeg';

/** What the control endpoint drives (the Agent implements it). */
export interface ControlTarget {
  status(): AgentStatus;
  startEvent(type: string, opts?: { eventId?: string; durationSeconds?: number }): string;
  stopEvent(): EventSpan | undefined;
  setPrivacy(paused: boolean): void;
  setAudio(enabled: boolean): void;
  setMode(mode: RecordingModeName): void;
  setUploadLimits(limits: { maxBytesPerSecond: number | null; backlogWindows?: readonly string[] }): void;
  putImage(jpeg: Uint8Array, tsMs?: number): Promise<string | undefined>;
}

export interface ControlServer {
  /** `http://127.0.0.1:{port}` or `unix:{path}`. */
  readonly address: string;
  readonly port: number | undefined;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4096;
const LOOPBACK = '127.0.0.1';
/** Host header values that name this machine's loopback interface, with an optional port. */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;

export interface ControlListen {
  port?: number;
  socketPath?: string;
  /** A shared secret callers send as `Authorization: Bearer {token}`. */
  token?: string;
}

/** Why a request is refused before any route runs, or undefined to go on. */
export function controlRequestProblem(
  req: Pick<IncomingMessage, 'headers' | 'method' | 'url'>,
  o: { tcp: boolean; token?: string },
): { status: number; code: string; message: string } | undefined {
  const host = req.headers.host ?? '';
  if (o.tcp && !LOOPBACK_HOST.test(host)) {
    return {
      status: 421,
      code: 'bad_host',
      message: `Host ${JSON.stringify(host.slice(0, 100))} is not this camera's loopback address: call http://127.0.0.1:{port} (or localhost) directly`,
    };
  }
  if (req.headers.origin !== undefined) {
    return {
      status: 403,
      code: 'browser_origin',
      message: 'requests from web pages (with an Origin header) are refused: call the control endpoint from a local program',
    };
  }
  if (o.token !== undefined) {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(o.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { status: 401, code: 'unauthorized', message: 'send Authorization: Bearer {control.token from device.json}' };
    }
  }
  const hasBody = req.method === 'POST' || req.method === 'PUT';
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const images = new URL(req.url ?? '/', 'http://local').pathname.replace(/\/+$/, '') === ControlRoute.IMAGES;
  const wanted = images ? JPEG_TYPE : 'application/json';
  if (hasBody && type !== wanted) {
    return { status: 415, code: 'unsupported_media_type', message: `send the body as Content-Type: ${wanted} (got ${JSON.stringify(type || 'none')})` };
  }
  return undefined;
}

export async function startControlServer(target: ControlTarget, where: ControlListen, log: Logger): Promise<ControlServer> {
  const tcp = !where.socketPath;
  const server = createServer((req, res) => {
    const problem = controlRequestProblem(req, { tcp, token: where.token });
    if (problem) {
      req.resume();
      log.warn('control request refused', { code: problem.code, method: req.method, url: req.url?.slice(0, 100) });
      send(res, problem.status, { error: { code: problem.code, message: problem.message } });
      return;
    }
    handle(target, req, res).catch((err) => {
      const bad = err instanceof ControlError;
      if (!bad) log.error('control request failed', { err, url: req.url });
      send(res, bad ? 400 : 500, { error: { code: bad ? 'bad_request' : 'internal', message: (err as Error).message } });
    });
  });
  if (where.socketPath) {
    await rm(where.socketPath, { force: true });
    await listen(server, () => server.listen(where.socketPath));
    await chmod(where.socketPath, 0o600);
    log.info('control endpoint listening', { socketPath: where.socketPath });
    return { address: `unix:${where.socketPath}`, port: undefined, close: () => close(server) };
  }
  await listen(server, () => server.listen(where.port ?? 0, LOOPBACK));
  const port = (server.address() as AddressInfo).port;
  log.info('control endpoint listening', { url: `http://${LOOPBACK}:${port}` });
  return { address: `http://${LOOPBACK}:${port}`, port, close: () => close(server) };
}

async function handle(t: ControlTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://local').pathname.replace(/\/+$/, '');
  const route = (method: string) => {
    if (req.method !== method) {
      send(res, 405, { error: { code: 'method_not_allowed', message: `use ${method} ${path}` } });
      return false;
    }
    return true;
  };
  switch (path) {
    case ControlRoute.STATUS:
      if (route('GET')) send(res, 200, t.status());
      return;
    case ControlRoute.EVENTS: {
      if (!route('POST')) return;
      const b = await readJson(req);
      const type = field(b, 'type', 'string') as string;
      const eventId = optional(b, 'eventId', 'string') as string | undefined;
      const durationSeconds = (optional(b, 'durationSeconds', 'number') ?? optional(b, 'seconds', 'number')) as number | undefined;
      send(res, 201, { eventId: t.startEvent(type, { eventId, durationSeconds }) });
      return;
    }
    case ControlRoute.EVENTS_STOP:
      if (route('POST')) send(res, 200, { event: t.stopEvent() ?? null });
      return;
    case ControlRoute.PRIVACY:
      if (!route('PUT')) return;
      t.setPrivacy(field(await readJson(req), 'paused', 'boolean') as boolean);
      send(res, 200, { recording: t.status().recording });
      return;
    case ControlRoute.AUDIO:
      if (!route('PUT')) return;
      t.setAudio(field(await readJson(req), 'enabled', 'boolean') as boolean);
      send(res, 200, { recording: t.status().recording });
      return;
    case ControlRoute.MODE:
      if (!route('PUT')) return;
      t.setMode(field(await readJson(req), 'mode', 'string') as RecordingModeName);
      send(res, 200, { recording: t.status().recording });
      return;
    case ControlRoute.UPLOAD: {
      if (!route('PUT')) return;
      const b = await readJson(req);
      if (b.maxBytesPerSecond !== null && typeof b.maxBytesPerSecond !== 'number')
        throw new ControlError('body field "maxBytesPerSecond" must be a number (bytes per second) or null (no cap)');
      if (b.backlogWindows !== undefined && (!Array.isArray(b.backlogWindows) || !b.backlogWindows.every((w) => typeof w === 'string')))
        throw new ControlError('body field "backlogWindows" must be a list of "HH:MM-HH:MM"');
      t.setUploadLimits({
        maxBytesPerSecond: b.maxBytesPerSecond as number | null,
        ...(b.backlogWindows ? { backlogWindows: b.backlogWindows as string[] } : {}),
      });
      send(res, 200, { upload: t.status().upload });
      return;
    }
    case ControlRoute.IMAGES: {
      if (!route('POST')) return;
      const ts = new URL(req.url ?? '/', 'http://local').searchParams.get('ts');
      if (ts !== null && !/^\d{1,15}(\.\d+)?$/.test(ts))
        throw new ControlError(`query "ts" must be the picture's time in UTC ms (e.g. ${Date.now()}), got ${JSON.stringify(ts.slice(0, 40))}`);
      const jpeg = await readBytes(req, MAX_IMAGE_BYTES);
      if (jpeg === undefined) {
        send(res, 413, {
          error: { code: 'too_large', message: `the picture is over ${MAX_IMAGE_BYTES} bytes: send a smaller JPEG (lower quality or resolution)` },
        });
        return;
      }
      const objectKey = await t.putImage(jpeg, ts === null ? undefined : Number(ts));
      send(res, objectKey ? 201 : 200, objectKey ? { objectKey } : { recorded: false, reason: 'privacy pause: nothing is recorded' });
      return;
    }
    default:
      send(res, 404, { error: { code: 'not_found', message: `no route ${path}; see ${Object.values(ControlRoute).join(', ')}` } });
  }
}

function field(b: Record<string, unknown>, name: string, type: 'string' | 'boolean' | 'number'): unknown {
  if (typeof b[name] !== type) throw new ControlError(`body field "${name}" must be a ${type}`);
  return b[name];
}

function optional(b: Record<string, unknown>, name: string, type: 'string' | 'number'): unknown {
  return b[name] === undefined ? undefined : field(b, name, type);
}

/** The whole body, or undefined once it passes `maxBytes` (the rest is drained, not kept). */
async function readBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size <= maxBytes) chunks.push(c);
  }
  return size > maxBytes ? undefined : Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY_BYTES) throw new ControlError(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(c);
  }
  if (!size) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (cause) {
    throw new ControlError('request body must be a JSON object', { cause });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function listen(server: Server, go: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (cause) =>
      reject(new AgentError(`control endpoint could not listen: ${(cause as Error).message}; pick another port or socket path`, { cause })),
    );
    server.once('listening', () => resolve());
    go();
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
