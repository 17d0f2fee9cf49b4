import { request, type RequestOptions } from 'node:https';
import { CredentialsError } from '../core/agent-errors.ts';

/** What one call to the IoT credential provider returns. */
export interface IotCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Expiry as the provider wrote it (its clock), ms since the epoch. */
  expirationMs: number;
  /** The provider's clock at the answer (HTTP Date header), when it sent one. */
  serverDateMs: number | undefined;
}

export interface IotCredentialsClientOptions {
  /** host[:port] of the credential provider (no scheme). */
  endpoint: string;
  roleAlias: string;
  /** The IoT thing name, sent as x-amzn-iot-thingname. */
  thingName: string;
  certificatePem: string | Buffer;
  privateKeyPem: string | Buffer;
  /** CA that signs the provider's server certificate. Always verified. */
  caPem: string | Buffer;
  timeoutMs: number;
}

/** One fetch: the I/O the provider depends on (replaceable in tests). */
export type FetchIotCredentials = () => Promise<IotCredentials>;

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const MAX_BODY_BYTES = 64 * 1024;

/**
 * `GET https://{endpoint}/role-aliases/{alias}/credentials` over mutual TLS with the
 * device certificate (the AWS IoT credential provider's only call).
 */
export function createIotCredentialsFetcher(o: IotCredentialsClientOptions): FetchIotCredentials {
  const [host, portText] = o.endpoint
    .replace(/^https:\/\//, '')
    .replace(/\/+$/, '')
    .split(':') as [string, string | undefined];
  const options: RequestOptions = {
    host,
    port: portText ? Number(portText) : 443,
    path: `/role-aliases/${encodeURIComponent(o.roleAlias)}/credentials`,
    method: 'GET',
    headers: { 'x-amzn-iot-thingname': o.thingName, accept: 'application/json' },
    cert: o.certificatePem,
    key: o.privateKeyPem,
    ca: o.caPem,
    servername: /^[\d.]+$/.test(host) ? undefined : host,
    rejectUnauthorized: true,
    agent: false,
  };
  return () =>
    new Promise<IotCredentials>((resolve, reject) => {
      const req = request(options, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) req.destroy(new Error('answer too large'));
          else chunks.push(c);
        });
        res.on('error', (cause) => reject(new CredentialsError(`IoT credential provider answer broke off: ${cause.message}`, { cause, retryable: true })));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status !== 200) {
            reject(
              new CredentialsError(
                `IoT credential provider answered ${status} for role alias ${o.roleAlias} (thing ${o.thingName}): ${text.slice(0, 200)}` +
                  (status === 403 || status === 404
                    ? '. Check the role alias, and that the certificate is active and attached to the thing and to a policy allowing iot:AssumeRoleWithCertificate.'
                    : ''),
                { statusCode: status, retryable: RETRYABLE_STATUS.has(status) },
              ),
            );
            return;
          }
          try {
            const c = (JSON.parse(text) as { credentials?: Record<string, unknown> }).credentials;
            const expirationMs = Date.parse(String(c?.expiration));
            if (
              !c ||
              typeof c.accessKeyId !== 'string' ||
              typeof c.secretAccessKey !== 'string' ||
              typeof c.sessionToken !== 'string' ||
              !Number.isFinite(expirationMs)
            ) {
              throw new Error('missing accessKeyId, secretAccessKey, sessionToken or expiration');
            }
            const date = Date.parse(String(res.headers.date));
            resolve({
              accessKeyId: c.accessKeyId,
              secretAccessKey: c.secretAccessKey,
              sessionToken: c.sessionToken,
              expirationMs,
              serverDateMs: Number.isFinite(date) ? date : undefined,
            });
          } catch (cause) {
            reject(new CredentialsError(`IoT credential provider answer is not usable: ${(cause as Error).message}`, { cause, retryable: true }));
          }
        });
      });
      req.setTimeout(o.timeoutMs, () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
      req.on('error', (cause) =>
        reject(new CredentialsError(`cannot reach the IoT credential provider at ${o.endpoint}: ${cause.message}`, { cause, retryable: true })),
      );
      req.end();
    });
}
