import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A fault-injecting TCP proxy for tests and the soak: put it between a client and a
 * server (HTTP or TLS, it only moves bytes) and switch faults on and off at run time,
 * from code or through a small HTTP control API.
 *
 * Faults (each optionally limited to `forMs` milliseconds or the next `connections`
 * connections, after which the proxy passes traffic again):
 *
 *   refuse        stop listening: clients get ECONNREFUSED
 *   reset         accept, then destroy the socket at once (ECONNRESET / socket hang up)
 *   cut           destroy every open connection now (one-shot) — use `cutAfterBytes` to cut mid-transfer
 *   cut-after     pass `bytes` bytes of the client's request upstream, then destroy the connection
 *   delay         add `ms` before every chunk, both ways
 *   stall         accept and read, answer nothing
 *   http-status   read the request head, answer `status` (e.g. 503) with an S3-style XML body, close
 *
 * Control API (when started with `control: true`):
 *   PUT /fault  {"kind": "...", ...}   set a fault      DELETE /fault   clear it
 *   GET /stats                         counters as JSON
 */
export type Fault =
  | { kind: 'refuse'; forMs?: number }
  | { kind: 'reset'; forMs?: number; connections?: number }
  | { kind: 'cut-after'; bytes: number; forMs?: number; connections?: number }
  | { kind: 'delay'; ms: number; forMs?: number; connections?: number }
  | { kind: 'stall'; forMs?: number; connections?: number }
  /** `code` names the S3 error (default by status: SlowDown, InternalError...), e.g. 409 ConditionalRequestConflict, 404 NoSuchBucket. */
  | { kind: 'http-status'; status: number; code?: string; forMs?: number; connections?: number };

export interface FaultProxyStats {
  connections: number;
  faulted: number;
  bytesUp: number;
  bytesDown: number;
}

export interface FaultProxy {
  /** host:port clients should use, e.g. `127.0.0.1:40123`. */
  readonly address: string;
  readonly port: number;
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** The control API's base URL, when started with `control: true`. */
  readonly controlUrl: string | undefined;
  readonly stats: Readonly<FaultProxyStats>;
  /** Bytes clients sent upstream with arrival time `atMs` in [fromMs, toMs): what the link carried, measured at the proxy. */
  bytesUpBetween(fromMs: number, toMs: number): number;
  /** Sets (or with `undefined` clears) the current fault. */
  setFault(fault: Fault | undefined): Promise<void>;
  /** Destroys every open connection now. */
  cutAll(): void;
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Where traffic goes, e.g. `127.0.0.1:4569` or `http://127.0.0.1:4569`. */
  readonly target: string;
  /** @default 0 */
  readonly port?: number;
  /** Also start the HTTP control API. @default false */
  readonly control?: boolean;
}

const HTTP_REASON: Record<number, string> = {
  301: 'Moved Permanently',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  429: 'Too Many Requests',
};
const S3_CODE: Record<number, string> = { 500: 'InternalError', 503: 'SlowDown', 429: 'SlowDown' };
const HEAD_END = Buffer.from('\r\n\r\n');

function parseTarget(target: string): { host: string; port: number } {
  const t = target.includes('://') ? new URL(target) : new URL(`tcp://${target}`);
  return { host: t.hostname.replace(/^\[|\]$/g, ''), port: Number(t.port) };
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = parseTarget(opts.target);
  const stats: FaultProxyStats = { connections: 0, faulted: 0, bytesUp: 0, bytesDown: 0 };
  /** Upstream bytes per 100 ms slot: [slotStartMs, bytes], oldest first (bounded: 30 minutes of slots). */
  const upSlots: [number, number][] = [];
  const UP_SLOT_MS = 100;
  const countUp = (n: number) => {
    const slot = Math.floor(Date.now() / UP_SLOT_MS) * UP_SLOT_MS;
    const last = upSlots[upSlots.length - 1];
    if (last && last[0] === slot) last[1] += n;
    else upSlots.push([slot, n]);
    if (upSlots.length > 18_000) upSlots.shift();
  };
  const open = new Set<Socket>();
  let fault: Fault | undefined;
  let faultUntil = Infinity;
  let faultConnectionsLeft = Infinity;
  let listening = false;
  let port = opts.port ?? 0;

  const activeFault = (): Fault | undefined => {
    if (fault && (Date.now() >= faultUntil || faultConnectionsLeft <= 0)) {
      fault = undefined;
      if (!listening) void listen();
    }
    return fault;
  };

  const onConnection = (client: Socket): void => {
    stats.connections++;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    const f = activeFault();
    if (f) {
      stats.faulted++;
      faultConnectionsLeft--;
    }
    if (f?.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (f?.kind === 'stall') {
      client.resume();
      return;
    }
    if (f?.kind === 'http-status') {
      let head = Buffer.alloc(0);
      const onData = (c: Buffer) => {
        head = Buffer.concat([head, c]);
        if (head.indexOf(HEAD_END) < 0) return;
        client.off('data', onData);
        const code = f.code ?? S3_CODE[f.status] ?? 'InternalError';
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected fault ${f.status}</Message></Error>`;
        client.end(
          `HTTP/1.1 ${f.status} ${HTTP_REASON[f.status] ?? 'Error'}\r\ncontent-type: application/xml\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
      };
      client.on('data', onData);
      return;
    }
    const delayMs = f?.kind === 'delay' ? f.ms : 0;
    let upBudget = f?.kind === 'cut-after' ? f.bytes : Infinity;
    const upstream = connect(target.port, target.host);
    let downDone: () => Promise<void> = () => Promise.resolve();
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      // Let delayed chunks still reach the client before it goes.
      void downDone().then(() => client.destroy());
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    const relay = (from: Socket, to: Socket, up: boolean): (() => Promise<void>) => {
      /** Delayed chunks and the end are written in order behind this chain. */
      let chain = Promise.resolve();
      from.on('data', (chunk: Buffer) => {
        let piece = chunk;
        if (up && piece.length >= upBudget) {
          piece = piece.subarray(0, upBudget);
          upBudget = 0;
          to.write(piece, () => {
            client.destroy();
            upstream.destroy();
          });
          return;
        }
        if (up) upBudget -= piece.length;
        if (up) {
          stats.bytesUp += piece.length;
          countUp(piece.length);
        } else stats.bytesDown += piece.length;
        if (delayMs > 0) {
          chain = chain
            .then(() => new Promise<void>((r) => setTimeout(r, delayMs)))
            .then(() => {
              if (!to.destroyed) to.write(piece);
            });
        } else if (!to.write(piece)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
      from.on('end', () => {
        void chain.then(() => to.end());
      });
      return () => chain;
    };
    relay(client, upstream, true);
    downDone = relay(upstream, client, false);
  };

  const server: Server = createServer(onConnection);
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      if (listening) return resolve();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as { port: number }).port;
        listening = true;
        resolve();
      });
    });
  const unlisten = (): Promise<void> =>
    new Promise((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
    });

  await listen();
  let refuseTimer: NodeJS.Timeout | undefined;

  const cutAll = () => {
    for (const s of open) s.destroy();
  };

  const setFault = async (f: Fault | undefined): Promise<void> => {
    fault = f;
    faultUntil = f?.forMs !== undefined ? Date.now() + f.forMs : Infinity;
    faultConnectionsLeft = f && 'connections' in f && f.connections !== undefined ? f.connections : Infinity;
    clearTimeout(refuseTimer);
    // A network cut drops the open (keep-alive) connections too, and closing the listener
    // then never waits on them. Other faults meet new connections only; cutAll() sends
    // kept-alive clients into them.
    if (f?.kind === 'refuse') cutAll();
    if (f?.kind === 'refuse') {
      await unlisten();
      if (f.forMs !== undefined) {
        refuseTimer = setTimeout(() => {
          fault = undefined;
          void listen();
        }, f.forMs);
        refuseTimer.unref();
      }
    } else {
      await listen();
    }
  };

  let control: HttpServer | undefined;
  let controlUrl: string | undefined;
  if (opts.control) {
    control = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const reply = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (req.url === '/stats' && req.method === 'GET') return reply(200, { ...stats, fault: activeFault() ?? null });
        if (req.url === '/fault' && req.method === 'DELETE') return void setFault(undefined).then(() => reply(200, { fault: null }));
        if (req.url === '/fault' && req.method === 'PUT') {
          let f: Fault;
          try {
            f = JSON.parse(body) as Fault;
          } catch {
            return reply(400, { message: 'body must be JSON like {"kind":"http-status","status":503,"forMs":2000}' });
          }
          if (!['refuse', 'reset', 'cut-after', 'delay', 'stall', 'http-status'].includes(f.kind))
            return reply(400, { message: `unknown fault kind ${JSON.stringify(f.kind)}` });
          return void setFault(f).then(() => reply(200, { fault: f }));
        }
        if (req.url === '/cut' && req.method === 'POST') {
          cutAll();
          return reply(200, { cut: true });
        }
        reply(404, { message: 'routes: GET /stats, PUT /fault, DELETE /fault, POST /cut' });
      });
    });
    await new Promise<void>((r) => control!.listen(0, '127.0.0.1', r));
    controlUrl = `http://127.0.0.1:${(control.address() as { port: number }).port}`;
  }

  return {
    get address() {
      return `127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    controlUrl,
    stats,
    bytesUpBetween(fromMs, toMs) {
      let n = 0;
      for (const [t, b] of upSlots) if (t >= fromMs && t < toMs) n += b;
      return n;
    },
    setFault,
    cutAll,
    async stop() {
      clearTimeout(refuseTimer);
      cutAll();
      await unlisten();
      if (control) await new Promise<void>((r) => control!.close(() => r()));
    },
  };
}
