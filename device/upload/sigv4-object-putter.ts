import { createHash } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ByteRateLimiter } from '../link/byte-rate-limiter.ts';
import { CHECKSUM_SHA256_HEADER } from '../../contract/segment-metadata.ts';
import { classifyS3Error } from './classify-s3-error.ts';
import { NodeSha256 } from './node-sha256.ts';
import type { ObjectPutter } from '../core/object-putter.ts';
import { parseS3ErrorXml } from './s3-error-xml.ts';
import { hostHeader, s3ObjectTarget, type S3AddressOptions, type S3ObjectTarget } from './s3-object-url.ts';
import type { UploadItem } from '../core/upload-item.ts';

export interface SigV4ObjectPutterOptions extends S3AddressOptions {
  credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity;
  /** One attempt's deadline, from connect to the last byte of the answer. */
  requestTimeoutMs: number;
  /** Called when S3 says the credentials expired or are invalid (the provider then fetches new ones). */
  onCredentialsRejected?: () => void;
  /** The device clock's error (ms added to `now()` when signing); corrected from S3's `Date` on RequestTimeTooSkewed. @default 0 */
  systemClockOffsetMs?: number;
  /** Extra trusted CA certificates (PEM) for a LAN store with a private CA; the public roots stay trusted. */
  extraCaPem?: string | Buffer;
  /** Sockets kept per host (keep-alive). @default 4 */
  maxSockets?: number;
  /** @default Date.now */
  now?: () => number;
  /** Paces every request (head and body, in 16 KiB chunks) through this byte-rate cap. @default none */
  limiter?: ByteRateLimiter;
}

/** Body bytes written per limiter take: small enough that the rate holds within a chunk's worth. */
const PACED_CHUNK_BYTES = 16 * 1024;

/** Bytes of an error answer read for its XML; S3 error documents are well under this. */
const ERROR_BODY_MAX_BYTES = 64 * 1024;
/** A status without an XML body (HEAD-like answers, proxies) still needs a code for the retry policy. */
const STATUS_CODES = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 500: 'InternalError', 503: 'ServiceUnavailable' } as const;

/** S3 answered an HTTP error; shaped like the SDK's service exceptions so `classifyS3Error` reads both. */
export class S3ServiceError extends Error {
  override readonly name: string;
  readonly Code: string;
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };
  constructor(statusCode: number, code: string, message: string, requestId?: string) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$metadata = { httpStatusCode: statusCode, requestId };
  }
}

/**
 * PutObject and nothing else, over node:https with a keep-alive agent, signed with the
 * SDK's own SigV4 signer (smithy) and node:crypto hashing: the agent needs one request
 * type and the full S3 client costs ~22 MB of RSS on a camera. Sends `If-None-Match: *`,
 * Content-Type, `x-amz-meta-*`, and the real payload SHA-256 twice: hex in
 * `x-amz-content-sha256` (computed once per attempt, or taken from the spool entry that already
 * holds it, so the signer never hashes the body)
 * and base64 in `x-amz-checksum-sha256`, which S3 verifies (400 BadDigest) and stores with
 * the object. No Content-MD5: the SHA-256 checksum already proves the body end to end,
 * and an MD5 of every segment cost twice the CPU of its SHA-256 (2.1 vs 0.9 ms per 1.3 MB).
 * Uncapped, the body goes to the socket in one write (capped, in paced 16 KiB chunks).
 * TLS is always verified. No retries here: the uploader retries, so it knows which
 * attempt a 412 answers. A RequestTimeTooSkewed answer corrects the signing clock from
 * S3's `Date` header before it is thrown (retryable), so the retry is signed right.
 */
export class SigV4ObjectPutter implements ObjectPutter {
  private readonly signer: SignatureV4;
  private readonly agent: http.Agent;
  private readonly now: () => number;
  /** ms added to `now()` to get the signing time. */
  clockOffsetMs: number;

  constructor(private readonly o: SigV4ObjectPutterOptions) {
    this.signer = new SignatureV4({
      service: 's3',
      region: o.region,
      credentials: o.credentials,
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    this.now = o.now ?? Date.now;
    this.clockOffsetMs = o.systemClockOffsetMs ?? 0;
    const secure = s3ObjectTarget(o, 'x').protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: o.maxSockets ?? 4 };
    this.agent = secure
      ? new https.Agent({ ...agentOptions, ...(o.extraCaPem ? { ca: [...rootCertificates, o.extraCaPem.toString()] } : {}) })
      : new http.Agent(agentOptions);
  }

  async put(item: UploadItem, body: Uint8Array, signal: AbortSignal, bodySha256?: string): Promise<'created' | 'exists'> {
    // The attempt's deadline is a plain timer held by this call. (AbortSignal.any over
    // AbortSignal.timeout can be garbage-collected before it fires on Node 20, which left
    // a PUT to a stalled connection hanging for good under memory pressure.)
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(Object.assign(new Error(`no answer from S3 within ${this.o.requestTimeoutMs} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' })),
      this.o.requestTimeoutMs,
    );
    const onOuterAbort = () => deadline.abort(signal.reason);
    if (signal.aborted) onOuterAbort();
    else signal.addEventListener('abort', onOuterAbort, { once: true });
    const attempt = deadline.signal;
    try {
      const target = s3ObjectTarget(this.o, item.objectKey);
      const headers = await this.signedHeaders(target, item, body, bodySha256);
      const res = await this.send(target, headers, body, attempt);
      if (res.status >= 200 && res.status < 300) return 'created';
      if (res.status === 412) return 'exists';
      throw this.serviceError(res);
    } catch (err) {
      const classified = classifyS3Error(err, item.objectKey);
      if (classified.credentialsRejected) this.o.onCredentialsRejected?.();
      throw classified;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onOuterAbort);
    }
  }

  /** Closes kept-alive sockets. */
  destroy(): void {
    this.agent.destroy();
  }

  private async signedHeaders(target: S3ObjectTarget, item: UploadItem, body: Uint8Array, bodySha256?: string): Promise<Record<string, string>> {
    const sha256 = bodySha256 ? Buffer.from(bodySha256, 'hex') : createHash('sha256').update(body).digest();
    const headers: Record<string, string> = {
      host: hostHeader(target),
      'content-length': String(body.length),
      'content-type': item.contentType,
      'x-amz-content-sha256': sha256.toString('hex'),
      // S3 verifies it (BadDigest otherwise) and keeps it: the cloud checks packed history against it.
      [CHECKSUM_SHA256_HEADER]: sha256.toString('base64'),
      'if-none-match': '*',
    };
    for (const [name, value] of Object.entries(item.metadata)) headers[`x-amz-meta-${name.toLowerCase()}`] = value;
    const signed = await this.signer.sign(
      {
        method: 'PUT',
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port ? Number(target.port) : undefined,
        path: target.path,
        query: {},
        headers,
      },
      { signingDate: new Date(this.now() + this.clockOffsetMs) },
    );
    return signed.headers;
  }

  private send(target: S3ObjectTarget, headers: Record<string, string>, body: Uint8Array, signal: AbortSignal): Promise<HttpAnswer> {
    const request = target.protocol === 'https:' ? https.request : http.request;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = request({
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port || undefined,
        path: target.path,
        method: 'PUT',
        headers,
        agent: this.agent,
        signal,
      });
      req.once('error', reject);
      req.once('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          if (ok || bytes >= ERROR_BODY_MAX_BYTES) return; // drained, not kept
          chunks.push(c);
          bytes += c.length;
        });
        res.once('error', reject);
        res.once('aborted', () => reject(Object.assign(new Error('S3 closed the connection mid-answer'), { code: 'ECONNRESET' })));
        res.once('end', () =>
          resolve({
            status,
            date: header1(res.headers.date),
            requestId: header1(res.headers['x-amz-request-id']),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      if (!this.o.limiter) req.end(body);
      else void this.writePaced(req, headers, body, signal).catch((err: unknown) => req.destroy(err as Error));
    });
  }

  /** Writes the body chunk by chunk, each after the limiter allows it (the head is counted first). */
  private async writePaced(req: http.ClientRequest, headers: Record<string, string>, body: Uint8Array, signal: AbortSignal): Promise<void> {
    const limiter = this.o.limiter!;
    let headBytes = 64; // request line and framing
    for (const [k, v] of Object.entries(headers)) headBytes += k.length + String(v).length + 4;
    await limiter.take(headBytes, signal);
    for (let at = 0; at < body.length; at += PACED_CHUNK_BYTES) {
      if (limiter.bytesPerSecond === undefined) {
        // No cap (now): the rest goes in one write, counted at once (not ~80 awaits and socket writes a segment).
        const rest = body.subarray(at);
        await limiter.take(rest.length, signal);
        if (!req.destroyed) req.end(rest);
        return;
      }
      const chunk = body.subarray(at, Math.min(body.length, at + PACED_CHUNK_BYTES));
      await limiter.take(chunk.length, signal);
      if (req.destroyed) return;
      if (!req.write(chunk)) {
        await new Promise<void>((r) => {
          const go = () => {
            req.off('drain', go);
            req.off('close', go);
            r();
          };
          req.once('drain', go);
          req.once('close', go);
        });
      }
    }
    req.end();
  }

  private serviceError(res: HttpAnswer): S3ServiceError {
    const parsed = parseS3ErrorXml(res.text);
    const code = parsed.code ?? (STATUS_CODES as Record<number, string>)[res.status] ?? `Http${res.status}`;
    if (code === 'RequestTimeTooSkewed') this.correctClock(res.date, parsed.serverTime);
    return new S3ServiceError(res.status, code, parsed.message ?? `S3 answered HTTP ${res.status} with no error document`, parsed.requestId ?? res.requestId);
  }

  /** Signing time := S3's time. The answer's `Date` header, else the body's ServerTime. */
  private correctClock(dateHeader: string | undefined, serverTime: string | undefined): void {
    const serverMs = Date.parse(dateHeader ?? serverTime ?? '');
    if (!Number.isFinite(serverMs)) return;
    this.clockOffsetMs = serverMs - this.now();
  }
}

interface HttpAnswer {
  readonly status: number;
  readonly date: string | undefined;
  readonly requestId: string | undefined;
  /** Error answers only (capped); empty for 2xx. */
  readonly text: string;
}

function header1(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
