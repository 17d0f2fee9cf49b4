import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { LocalStartError } from '../local-error.ts';
import type { CredentialRegistry } from './credential-registry.ts';

/**
 * A local stand-in for the AWS IoT Core credential provider:
 *
 *   GET /role-aliases/{alias}/credentials      over mutual TLS (client certificate from the local CA)
 *   x-amzn-iot-thingname: {thing}              optional; must match the certificate's thing
 *
 * 200 `{"credentials":{"accessKeyId","secretAccessKey","sessionToken","expiration"}}`
 * with `expiration` as an ISO-8601 UTC time, as AWS answers. Errors are
 * `{"message": ...}` with an `x-amzn-ErrorType` header. A certificate is "attached" to the
 * thing named by its subject CN. Faults can be switched on for tests.
 *
 * It applies AWS's documented rules ("Authorizing direct calls to AWS services using AWS
 * IoT Core credential provider"): a thing named in x-amzn-iot-thingname that is not
 * attached to the certificate gets 403; only with that header do the credentials carry
 * the thing's name and type (credentials-iot:ThingName / ThingTypeName), which the local
 * S3 front checks as the device role's policy does.
 */
export interface IotCredentialProviderOptions {
  /** The CA that signs device certificates (PEM); clients without one are refused in the handshake. */
  readonly caCertPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  readonly registry: CredentialRegistry;
  /** Role aliases answered. @default ['camrec-device'] */
  readonly roleAliases?: readonly string[];
  /** Lifetime of issued credentials. @default 3600 (AWS's default) */
  readonly credentialDurationSeconds?: number;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * The thing type of each thing (what CreateThing set); undefined for a thing without one.
   * @default every thing is of type LOCAL_THING_TYPE
   */
  readonly thingTypeOf?: (thingName: string) => string | undefined;
}

/** A failure the provider can be told to produce, for fault tests. */
export type IotFault =
  | { readonly kind: 'status'; readonly status: 429 | 500 | 503 }
  /** Accept the TLS connection, then destroy it without answering. */
  | { readonly kind: 'reset' }
  /** Accept and never answer. */
  | { readonly kind: 'stall' };

export interface IotCredentialProvider {
  /** e.g. https://127.0.0.1:40123 (the part before `/role-aliases/...`). */
  readonly endpoint: string;
  readonly port: number;
  /** Number of credential requests answered with 200. */
  readonly issuedCount: number;
  setCredentialDuration(seconds: number): void;
  /** `undefined` clears the fault. */
  setFault(fault: IotFault | undefined): void;
  /** Stops listening and drops open connections. */
  stop(): Promise<void>;
  /** Listens again on the same port after `stop()`. */
  restart(): Promise<void>;
}

export const DEFAULT_ROLE_ALIAS = 'camrec-device';
/** The camera thing type in local mode (the CDK stack creates its own and names it in ThingTypeName). */
export const LOCAL_THING_TYPE = 'camrec-camera';
const ROUTE_RE = /^\/role-aliases\/([\w=,@-]{1,128})\/credentials\/?$/;
const STATUS_ERROR_TYPE: Record<number, string> = {
  403: 'ForbiddenException',
  404: 'ResourceNotFoundException',
  405: 'MethodNotAllowedException',
  429: 'ThrottlingException',
  500: 'InternalFailureException',
  503: 'ServiceUnavailableException',
};

/** AWS writes `2026-01-18T09:18:06Z`: ISO-8601 without milliseconds. */
export const formatExpiration = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function sendError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-ErrorType': STATUS_ERROR_TYPE[status] ?? 'InternalFailureException',
  });
  res.end(body);
}

export async function startIotCredentialProvider(opts: IotCredentialProviderOptions): Promise<IotCredentialProvider> {
  const aliases = new Set(opts.roleAliases ?? [DEFAULT_ROLE_ALIAS]);
  const host = opts.host ?? '127.0.0.1';
  let durationSeconds = opts.credentialDurationSeconds ?? 3600;
  let fault: IotFault | undefined;
  let issuedCount = 0;
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'stall') return;
    if (fault?.kind === 'status') {
      sendError(res, fault.status, 'injected fault: the local IoT credential provider is failing on purpose');
      return;
    }
    const url = new URL(req.url ?? '/', 'https://local');
    const m = ROUTE_RE.exec(url.pathname);
    if (!m) {
      sendError(res, 404, `no such route ${url.pathname}; use GET /role-aliases/{alias}/credentials`);
      return;
    }
    if (req.method !== 'GET') {
      sendError(res, 405, `${req.method} is not allowed; use GET`);
      return;
    }
    if (!aliases.has(m[1]!)) {
      sendError(res, 404, `Role alias ${m[1]} does not exist`);
      return;
    }
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const certThing = typeof peer?.subject?.CN === 'string' ? peer.subject.CN : undefined;
    if (!certThing) {
      sendError(res, 403, 'Certificate is invalid on this endpoint');
      return;
    }
    const header = req.headers['x-amzn-iot-thingname'];
    const requestedThing = Array.isArray(header) ? header[0] : header;
    if (requestedThing !== undefined && requestedThing !== certThing) {
      sendError(res, 403, `Access Denied: the certificate is not attached to thing ${requestedThing}`);
      return;
    }
    const thingTypeOf = opts.thingTypeOf ?? (() => LOCAL_THING_TYPE);
    const creds = opts.registry.issueDevice(
      requestedThing === undefined ? undefined : { thingName: requestedThing, thingTypeName: thingTypeOf(requestedThing) },
      durationSeconds,
    );
    issuedCount++;
    const body = JSON.stringify({
      credentials: {
        accessKeyId: creds.accessKeyId,
        secretAccessKey: creds.secretAccessKey,
        sessionToken: creds.sessionToken,
        expiration: formatExpiration(creds.expiresAtMs),
      },
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const makeServer = (): Server => {
    const server = createServer(
      {
        key: opts.serverKeyPem,
        cert: opts.serverCertPem,
        ca: opts.caCertPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      handle,
    );
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    // Handshake failures (no or foreign client certificate) are the client's problem, not ours.
    server.on('tlsClientError', () => {});
    return server;
  };

  const listen = (server: Server, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', (cause) =>
        reject(
          new LocalStartError(`the local IoT credential provider could not listen on ${host}:${port}: ${(cause as Error).message}; pick another port`, {
            cause,
          }),
        ),
      );
      server.listen(port, host, () => resolve((server.address() as { port: number }).port));
    });

  let server = makeServer();
  const port = await listen(server, opts.port ?? 0);
  let running = true;

  return {
    endpoint: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get issuedCount() {
      return issuedCount;
    },
    setCredentialDuration(seconds: number) {
      durationSeconds = seconds;
    },
    setFault(f) {
      fault = f;
    },
    async stop() {
      if (!running) return;
      running = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    async restart() {
      if (running) return;
      server = makeServer();
      await listen(server, port);
      running = true;
    },
  };
}
