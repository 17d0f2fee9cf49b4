import { Server, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * Counts HTTP requests reaching the in-process servers of the local stack (S3 front,
 * s3rver, dynalite, playback API), by server port, without touching their code: it wraps
 * `http.Server.prototype.emit('request')` in this process for the length of the soak.
 * Bodies are never read (that would race the server); only method, URL, the
 * `x-amz-target` and user-agent headers and the final status.
 */
export interface MeteredRequest {
  readonly port: number;
  readonly method: string;
  readonly url: string;
  /** DynamoDB operation, e.g. `DynamoDB_20120810.PutItem`. */
  readonly target: string | undefined;
  /** The SDK's user agent (a client may name itself in it, as the compactor does). */
  readonly userAgent: string;
  status: number | undefined;
}

export interface RequestMeter {
  /** Requests seen so far (the array grows while counting is on). */
  readonly requests: readonly MeteredRequest[];
  /** Stops counting (the wrapper stays, inert). */
  pause(): void;
  resume(): void;
  uninstall(): void;
}

export function installRequestMeter(): RequestMeter {
  const requests: MeteredRequest[] = [];
  let counting = true;
  const original = Server.prototype.emit;
  Server.prototype.emit = function meteredEmit(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (counting && event === 'request') {
      const req = args[0] as IncomingMessage;
      const res = args[1] as ServerResponse;
      const port = req.socket?.localPort ?? 0;
      const target = req.headers['x-amz-target'];
      const ua = req.headers['x-amz-user-agent'] ?? req.headers['user-agent'] ?? '';
      const r: MeteredRequest = {
        port,
        method: req.method ?? '',
        url: req.url ?? '',
        target: typeof target === 'string' ? target : undefined,
        userAgent: String(ua),
        status: undefined,
      };
      requests.push(r);
      res.once('finish', () => (r.status = res.statusCode));
    }
    return (original as (this: Server, e: string | symbol, ...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof Server.prototype.emit;
  return {
    requests,
    pause: () => (counting = false),
    resume: () => (counting = true),
    uninstall: () => {
      Server.prototype.emit = original;
    },
  };
}
