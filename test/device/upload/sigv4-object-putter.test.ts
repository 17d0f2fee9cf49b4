import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { UploadError } from '../../../device/core/agent-errors.ts';
import { ByteRateLimiter } from '../../../device/link/byte-rate-limiter.ts';
import { NodeSha256 } from '../../../device/upload/node-sha256.ts';
import { SigV4ObjectPutter, type SigV4ObjectPutterOptions } from '../../../device/upload/sigv4-object-putter.ts';
import type { UploadItem } from '../../../device/core/upload-item.ts';
import { amzDateToMs, verifySigV4 } from '../../../local/auth/sigv4-verify.ts';
import { createCertificateAuthority, issueServerCertificate } from '../../../local/pki/certificate-authority.ts';

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'session-token-from-iot';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}
type Answer = (seen: Seen, res: ServerResponse) => void;

const servers: (http.Server | https.Server)[] = [];
const putters: SigV4ObjectPutter[] = [];
afterEach(async () => {
  putters.splice(0).forEach((p) => p.destroy());
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((r) => {
          s.closeAllConnections();
          s.close(r);
        }),
    ),
  );
});

/** An S3 stand-in on a free port that records each request and answers with `answer`. */
async function fakeS3(answer: Answer, tls?: { key: string; cert: string }): Promise<{ endpoint: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      answer(s, res);
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, seen };
}

const s3Error =
  (status: number, code: string, message: string, headers: Record<string, string> = {}): Answer =>
  (_s, res) => {
    res.writeHead(status, { 'content-type': 'application/xml', ...headers });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId></Error>`);
  };
const ok: Answer = (_s, res) => {
  res.writeHead(200, { etag: '"x"' });
  res.end();
};

function putter(endpoint: string, extra: Partial<SigV4ObjectPutterOptions> = {}): SigV4ObjectPutter {
  const p = new SigV4ObjectPutter({
    bucket: 'camrec',
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: async () => ({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, sessionToken: TOKEN }),
    requestTimeoutMs: 2000,
    ...extra,
  });
  putters.push(p);
  return p;
}

const item: UploadItem = {
  kind: 'segment',
  objectKey: 'segments/cam-1/2026/01/02/03/1767323045000-7.ts',
  contentType: 'video/mp2t',
  metadata: { 'start-ms': '1767323045000', 'duration-ms': '6000', seq: '7', iv: '00112233445566778899aabbccddeeff' },
  seq: 7,
  createdMs: 0,
};
const body = new Uint8Array(Buffer.from('0123456789'.repeat(1000)));

async function rejection(p: Promise<unknown>): Promise<UploadError & { credentialsRejected: boolean }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UploadError);
  return err as UploadError & { credentialsRejected: boolean };
}

describe('NodeSha256 with the SDK signer', () => {
  it("signs AWS's documented S3 example to the documented signature", async () => {
    // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object"
    // (the PUT example signs a `date` header, which smithy's signer always replaces by x-amz-date).
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
      sha256: NodeSha256,
      uriEscapePath: false,
    });
    const signed = await signer.sign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: 'examplebucket.s3.amazonaws.com',
        path: '/test.txt',
        query: {},
        headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9' },
      },
      { signingDate: new Date('2013-05-24T00:00:00Z') },
    );
    expect(signed.headers['x-amz-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(signed.headers['x-amz-date']).toBe('20130524T000000Z');
    expect(signed.headers.authorization!.split(/,\s*/)).toEqual([
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request',
      'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date',
      'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    ]);
  });

  it('hashes and HMACs like node:crypto, across reset()', async () => {
    const h = new NodeSha256();
    h.update(new Uint8Array([1, 2, 3]));
    h.reset();
    h.update(Buffer.from('abc'));
    expect(Buffer.from(await h.digest()).toString('hex')).toBe(createHash('sha256').update('abc').digest('hex'));
    const m = new NodeSha256('key');
    m.update(Buffer.from('data'));
    const { createHmac } = await import('node:crypto');
    expect(Buffer.from(await m.digest()).toString('hex')).toBe(createHmac('sha256', 'key').update('data').digest('hex'));
  });
});

describe('SigV4ObjectPutter', () => {
  it('PUTs once with If-None-Match, the real payload SHA-256 (hex and as x-amz-checksum-sha256, no second digest), metadata and the session token, signed so S3 accepts it', async () => {
    const s3 = await fakeS3(ok);
    expect(await putter(s3.endpoint).put(item, body, new AbortController().signal)).toBe('created');
    expect(s3.seen).toHaveLength(1);
    const [req] = s3.seen;
    expect(req!.method).toBe('PUT');
    expect(req!.url).toBe(`/camrec/${item.objectKey}`);
    expect(Buffer.compare(req!.body, Buffer.from(body))).toBe(0);
    expect(req!.headers).toMatchObject({
      'if-none-match': '*',
      'content-type': 'video/mp2t',
      'content-length': String(body.length),
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      'x-amz-checksum-sha256': createHash('sha256').update(body).digest('base64'),
      'x-amz-security-token': TOKEN,
      'x-amz-meta-start-ms': '1767323045000',
      'x-amz-meta-duration-ms': '6000',
      'x-amz-meta-seq': '7',
      'x-amz-meta-iv': '00112233445566778899aabbccddeeff',
    });
    // One digest of the body per attempt: the SHA-256 checksum proves it; no Content-MD5 pass.
    expect(req!.headers['content-md5']).toBeUndefined();
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(req!.headers.authorization))![1]!.split(';');
    expect(signedHeaders).toEqual(
      expect.arrayContaining(['host', 'if-none-match', 'x-amz-content-sha256', 'x-amz-checksum-sha256', 'x-amz-meta-seq', 'x-amz-security-token']),
    );
    // The local S3 front's independent verifier (node:crypto, written from the spec) accepts it.
    const who = verifySigV4(
      req!,
      (id) => (id === ACCESS_KEY_ID ? { secretAccessKey: SECRET, sessionToken: TOKEN, expiresAtMs: Date.now() + 60_000 } : undefined),
      Date.now(),
      { region: 'us-east-1', service: 's3' },
    );
    expect(who).toBe(ACCESS_KEY_ID);
  });

  it("sends a SHA-256 the caller already has (the spool entry's) as given, instead of hashing the body again", async () => {
    const s3 = await fakeS3(ok);
    // Not this body's digest: it shows the putter sent what it was given (S3 would answer 400 BadDigest to this one).
    const given = createHash('sha256').update('another body').digest();
    expect(await putter(s3.endpoint).put(item, body, new AbortController().signal, given.toString('hex'))).toBe('created');
    expect(s3.seen[0]!.headers).toMatchObject({ 'x-amz-content-sha256': given.toString('hex'), 'x-amz-checksum-sha256': given.toString('base64') });
    expect(Buffer.compare(s3.seen[0]!.body, Buffer.from(body))).toBe(0);
  });

  it('with an uncapped link limiter the whole body arrives intact and every byte is counted for the measured rate', async () => {
    const s3 = await fakeS3(ok);
    const limiter = new ByteRateLimiter();
    const big = Buffer.alloc(200 * 1024, 7); // more than a dozen 16 KiB paced chunks
    expect(await putter(s3.endpoint, { limiter }).put(item, big, new AbortController().signal)).toBe('created');
    expect(Buffer.compare(s3.seen[0]!.body, big)).toBe(0);
    // head (estimated) + body, averaged over the 10 s window
    expect(limiter.measuredBytesPerSecond() * 10).toBeGreaterThanOrEqual(big.length);
  });

  it('412 answers "exists" (an earlier attempt landed)', async () => {
    const s3 = await fakeS3(s3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'));
    expect(await putter(s3.endpoint).put(item, body, new AbortController().signal)).toBe('exists');
  });

  it('503 SlowDown and 500 are retryable, with the code from the XML', async () => {
    const slow = await rejection(
      putter((await fakeS3(s3Error(503, 'SlowDown', 'Please reduce your request rate.'))).endpoint).put(item, body, new AbortController().signal),
    );
    expect(slow).toMatchObject({ retryable: true, statusCode: 503, code: 'SlowDown', credentialsRejected: false });
    expect(slow.message).toContain('S3 answered 503 SlowDown: Please reduce your request rate.');
    const bare = await rejection(
      putter(
        (
          await fakeS3((_s, res) => {
            res.writeHead(500);
            res.end('<html>oops</html>');
          })
        ).endpoint,
      ).put(item, body, new AbortController().signal),
    );
    expect(bare).toMatchObject({ retryable: true, statusCode: 500, code: 'InternalError' });
  });

  it('ExpiredToken and InvalidAccessKeyId ask for fresh credentials and are retryable', async () => {
    for (const code of ['ExpiredToken', 'InvalidAccessKeyId']) {
      let rejected = 0;
      const s3 = await fakeS3(s3Error(400, code, 'The provided token has expired.'));
      const err = await rejection(putter(s3.endpoint, { onCredentialsRejected: () => rejected++ }).put(item, body, new AbortController().signal));
      expect(err).toMatchObject({ retryable: true, code, credentialsRejected: true });
      expect(rejected).toBe(1);
    }
  });

  it('a 400 for a wrong request is kept for a retry and classed as rejected; AccessDenied says what to check', async () => {
    const bad = await rejection(
      putter((await fakeS3(s3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.'))).endpoint).put(
        item,
        body,
        new AbortController().signal,
      ),
    );
    expect(bad).toMatchObject({ retryable: true, problem: 'rejected', statusCode: 400, code: 'InvalidDigest' });
    const denied = await rejection(
      putter((await fakeS3(s3Error(403, 'AccessDenied', 'Access Denied'))).endpoint).put(item, body, new AbortController().signal),
    );
    expect(denied).toMatchObject({ statusCode: 403, code: 'AccessDenied', problem: 'configuration' });
    expect(denied.message).toContain(`PUT ${item.objectKey} failed: S3 answered 403 AccessDenied: Access Denied`);
    expect(denied.message).toContain('must allow s3:PutObject on segments/{thingName}/*');
  });

  it("RequestTimeTooSkewed: the signing clock takes S3's Date, so the retry is signed at S3's time", async () => {
    const s3 = await fakeS3((seen, res) => {
      const skewMs = Math.abs(amzDateToMs(String(seen.headers['x-amz-date']))! - Date.now());
      if (skewMs > 15 * 60_000)
        s3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { date: new Date().toUTCString() })(
          seen,
          res,
        );
      else ok(seen, res);
    });
    const p = putter(s3.endpoint, { systemClockOffsetMs: 20 * 60_000 });
    const first = await rejection(p.put(item, body, new AbortController().signal));
    expect(first).toMatchObject({ retryable: true, code: 'RequestTimeTooSkewed' });
    expect(Math.abs(p.clockOffsetMs)).toBeLessThan(5_000);
    expect(await p.put(item, body, new AbortController().signal)).toBe('created');
    expect(s3.seen).toHaveLength(2);
  });

  it('an S3 that never answers: the attempt ends at its deadline, retryable', async () => {
    const s3 = await fakeS3(() => {});
    const started = Date.now();
    const err = await rejection(putter(s3.endpoint, { requestTimeoutMs: 300 }).put(item, body, new AbortController().signal));
    expect(err.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('TLS is verified: a private CA is refused unless given as extraCaPem', async () => {
    const ca = createCertificateAuthority('test CA');
    const cert = issueServerCertificate(ca);
    const s3 = await fakeS3(ok, { key: cert.keyPem, cert: cert.certPem });
    const refused = await rejection(putter(s3.endpoint).put(item, body, new AbortController().signal));
    expect(refused.statusCode).toBeUndefined();
    expect(s3.seen).toHaveLength(0);
    expect(await putter(s3.endpoint, { extraCaPem: ca.certPem }).put(item, body, new AbortController().signal)).toBe('created');
    expect(s3.seen).toHaveLength(1);
  });
});
