import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * `fetch` with a SigV4 signature for API Gateway's IAM authorizer (service execute-api):
 * what `camrec play-url` and the tests use against the playback API, local or deployed.
 */
export interface SignedFetchOptions {
  readonly method?: string;
  /** JSON-serialisable body (sent as application/json). */
  readonly json?: unknown;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly region: string;
  readonly signal?: AbortSignal;
}

export async function signedFetch(url: string, opts: SignedFetchOptions): Promise<Response> {
  const u = new URL(url);
  const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) query[k] = v;
  const headers: Record<string, string> = { host: u.host };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const signer = new SignatureV4({ credentials: opts.credentials, region: opts.region, service: 'execute-api', sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: opts.method ?? (body ? 'POST' : 'GET'),
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port ? Number(u.port) : undefined,
      path: u.pathname,
      query,
      headers,
      body,
    }),
  );
  const sendHeaders = { ...(signed.headers as Record<string, string>) };
  delete sendHeaders.host;
  return fetch(url, { method: signed.method, headers: sendHeaders, body, signal: opts.signal });
}
