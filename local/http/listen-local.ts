import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { LocalStartError } from '../local-error.ts';

export interface LocalListener {
  /** The port listened on (a free one when asked for 0). */
  readonly port: number;
  /** Closes the server and every connection still open (kept-alive ones too), at once. */
  stop(): Promise<void>;
}

/**
 * Listens on `host:port` (0: a free port) for a local stand-in's HTTP server, keeping
 * connections alive 5 s and tracking them so that `stop()` does not wait for idle ones.
 * A port that cannot be had rejects with a LocalStartError that names `what` and the
 * address, then `hint` (what to do), if given.
 */
export async function listenLocal(server: Server, o: { host: string; port?: number; what: string; hint?: string }): Promise<LocalListener> {
  const sockets = new Set<Socket>();
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new LocalStartError(`${o.what} could not listen on ${o.host}:${o.port ?? 0}: ${(cause as Error).message}${o.hint ? `; ${o.hint}` : ''}`, { cause }),
      ),
    );
    server.listen(o.port ?? 0, o.host, () => resolve((server.address() as { port: number }).port));
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
