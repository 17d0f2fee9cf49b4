import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentError, ControlError } from '../agent/agent-errors.ts';
import type { AgentStatus } from '../agent/agent-status.ts';
import type { Logger } from '../agent/json-logger.ts';
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
 *
 * Errors: 400 {error: {code, message}} for a bad request, 404/405 for unknown routes.
 */
export const ControlRoute = {
  STATUS: '/v1/status',
  EVENTS: '/v1/events',
  EVENTS_STOP: '/v1/events/stop',
  PRIVACY: '/v1/privacy',
  AUDIO: '/v1/audio',
  MODE: '/v1/mode',
} as const;

/** What the control endpoint drives (the Agent implements it). */
export interface ControlTarget {
  status(): AgentStatus;
  startEvent(type: string, opts?: { eventId?: string; durationSeconds?: number }): string;
  stopEvent(): EventSpan | undefined;
  setPrivacy(paused: boolean): void;
  setAudio(enabled: boolean): void;
  setMode(mode: RecordingModeName): void;
}

export interface ControlServer {
  /** `http://127.0.0.1:{port}` or `unix:{path}`. */
  readonly address: string;
  readonly port: number | undefined;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4096;
const LOOPBACK = '127.0.0.1';

export async function startControlServer(target: ControlTarget, where: { port?: number; socketPath?: string }, log: Logger): Promise<ControlServer> {
  const server = createServer((req, res) => {
    handle(target, req, res).catch((err) => {
      const bad = err instanceof ControlError;
      if (!bad) log.error('control request failed', { err, url: req.url });
      send(res, bad ? 400 : 500, { error: { code: bad ? 'bad_request' : 'internal', message: (err as Error).message } });
    });
  });
  if (where.socketPath) {
    await rm(where.socketPath, { force: true });
    await listen(server, () => server.listen(where.socketPath));
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
    server.once('error', (cause) => reject(new AgentError(`control endpoint could not listen: ${(cause as Error).message}; pick another port or socket path`, { cause })));
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
