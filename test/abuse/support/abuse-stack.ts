import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { loadWrappingPublicKey, segmentKey, toS3Metadata, wrapDataKey, wrappedKeyKey, type TokenSigningKey } from '../../../contract/index.ts';
import { sigv4Encode } from '../../../local/auth/sigv4-verify.ts';
import { DEFAULT_ROLE_ALIAS } from '../../../local/iot/iot-credential-provider.ts';
import { startLocalStack, type LocalStack } from '../../../local/stack/local-stack.ts';
import { ensureLocalSecrets } from '../../../local/stack/local-secrets.ts';
import { until } from '../../support/until.ts';

/**
 * The local stack started in-process on free ports (no agents), plus what an attacker
 * test needs around it: device credentials fetched over mutual TLS exactly as the agent
 * fetches them, uploads through the S3 front, raw HTTP requests (paths sent byte for
 * byte, not normalised by `fetch`), and the secrets that must never appear in an answer.
 */
export interface DeviceCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

export interface SeededCamera {
  readonly id: string;
  readonly keyId: string;
  readonly dataKey: Buffer;
  /** startMs of each uploaded segment, oldest first. */
  readonly startsMs: readonly number[];
  /** The bytes of each uploaded segment. */
  readonly bodies: readonly Buffer[];
}

export interface AbuseStack {
  readonly stack: LocalStack;
  readonly dataDir: string;
  /** The deployment's session-token signing key (what Secrets Manager holds in the cloud). */
  readonly tokenKey: TokenSigningKey;
  /** Strings that must never appear in any answer to a client. */
  readonly secrets: readonly string[];
  deviceCredentials(thing: string): Promise<DeviceCredentials>;
  deviceS3(creds: DeviceCredentials): S3Client;
  seedCamera(id: string, opts: { firstStartMs: number; segments: number; segmentMs?: number }): Promise<SeededCamera>;
  waitIndexed(keys: readonly string[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** One HTTP request with the path sent exactly as given (no dot-segment or percent normalisation). */
export function rawRequest(
  baseUrl: string,
  method: string,
  rawPath: string,
  opts: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawAnswer> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = httpRequest({ host: u.hostname, port: u.port, method, path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * SigV4 headers (service execute-api) for a raw path, signed the way the local API and
 * API Gateway read it: each path segment escaped once more, no normalisation.
 */
export async function signRaw(
  baseUrl: string,
  method: string,
  rawPath: string,
  opts: {
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    region: string;
    body?: string;
    service?: string;
    signingDate?: Date;
    /** Send x-amz-content-sha256 (default true); browsers sign the body's hash without sending it. */
    sendPayloadHash?: boolean;
  },
): Promise<Record<string, string>> {
  const u = new URL(baseUrl);
  const q = rawPath.indexOf('?');
  const path = q < 0 ? rawPath : rawPath.slice(0, q);
  const query: Record<string, string | string[]> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rawPath.slice(q + 1))) {
      const had = query[k];
      query[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
    }
  }
  const headers: Record<string, string> = { host: u.host };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const signer = new SignatureV4({
    credentials: opts.credentials,
    region: opts.region,
    service: opts.service ?? 'execute-api',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: opts.sendPayloadHash ?? true,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: u.protocol,
      hostname: u.hostname,
      port: Number(u.port),
      path: path.split('/').map(sigv4Encode).join('/'),
      query,
      headers,
      body: opts.body,
    }),
    opts.signingDate ? { signingDate: opts.signingDate } : {},
  );
  return { ...(signed.headers as Record<string, string>) };
}

export async function startAbuseStack(cameras: readonly string[]): Promise<AbuseStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'camrec-abuse-'));
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ dataDir, cameras: cameras.map((id) => ({ id, source: { kind: 'sample' as const } })) });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const localSecrets = await ensureLocalSecrets(dataDir);
  const info = stack.info;
  const issued: DeviceCredentials[] = [];
  const clients: S3Client[] = [];
  const indexed = new Set<string>();
  stack.onIndexed((key) => indexed.add(key));

  const deviceCredentials = (thing: string): Promise<DeviceCredentials> => {
    const dev = stack.pki.devices.get(thing);
    if (!dev) throw new Error(`no certificate for thing ${thing}: start the abuse stack with it in the camera list`);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        `${stack.iot.endpoint}/role-aliases/${DEFAULT_ROLE_ALIAS}/credentials`,
        { ca: stack.pki.ca.certPem, cert: dev.certPem, key: dev.keyPem, headers: { 'x-amzn-iot-thingname': thing }, agent: false },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`IoT credential provider answered ${res.statusCode}: ${body}`));
            const c = JSON.parse(body).credentials as DeviceCredentials;
            issued.push(c);
            resolve({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken });
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  };

  const deviceS3 = (creds: DeviceCredentials): S3Client => {
    const s3 = new S3Client({
      region: info.region,
      endpoint: info.s3Endpoint,
      forcePathStyle: true,
      credentials: creds,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      maxAttempts: 1,
    });
    clients.push(s3);
    return s3;
  };

  const waitIndexed = async (keys: readonly string[], timeoutMs = 10_000): Promise<void> => {
    await until('the indexer', () => keys.every((k) => indexed.has(k)), {
      timeoutMs,
      intervalMs: 25,
      detail: () => `not indexed: ${keys.filter((k) => !indexed.has(k)).join(', ')}`,
    });
  };

  const publicKey = loadWrappingPublicKey(await readFile(localSecrets.contentKeyPublicPath, 'utf8'));
  const seedCamera: AbuseStack['seedCamera'] = async (id, opts) => {
    const segmentMs = opts.segmentMs ?? 2000;
    const s3 = deviceS3(await deviceCredentials(id));
    const keyId = randomBytes(16).toString('hex');
    const dataKey = randomBytes(16);
    await s3.send(
      new PutObjectCommand({
        Bucket: info.bucket,
        Key: wrappedKeyKey({ deviceId: id, keyId }),
        Body: wrapDataKey(publicKey, dataKey, { deviceId: id, keyId }),
        IfNoneMatch: '*',
      }),
    );
    const startsMs: number[] = [];
    const bodies: Buffer[] = [];
    const keys: string[] = [];
    for (let seq = 0; seq < opts.segments; seq++) {
      const startMs = opts.firstStartMs + seq * segmentMs;
      const body = randomBytes(188 * 10);
      const key = segmentKey({ deviceId: id, startMs, seq });
      await s3.send(
        new PutObjectCommand({
          Bucket: info.bucket,
          Key: key,
          Body: body,
          IfNoneMatch: '*',
          ContentType: 'video/mp2t',
          Metadata: toS3Metadata({
            startMs,
            durationMs: segmentMs,
            seq,
            discSeq: 0,
            keyId,
            iv: randomBytes(16).toString('hex'),
            codecs: 'avc1.64001f,mp4a.40.2',
            width: 640,
            height: 360,
          }),
        }),
      );
      startsMs.push(startMs);
      bodies.push(body);
      keys.push(key);
    }
    await waitIndexed(keys);
    return { id, keyId, dataKey, startsMs, bodies };
  };

  const secretStrings = (): string[] => {
    const s = Buffer.from(localSecrets.tokenKey.secret);
    return [
      s.toString('base64'),
      s.toString('base64url'),
      s.toString('hex'),
      info.credentials.secretAccessKey,
      localSecrets.contentKeyPrivatePem.split('\n')[1]!,
      ...issued.flatMap((c) => [c.secretAccessKey, c.sessionToken]),
    ];
  };

  return {
    stack,
    dataDir,
    tokenKey: localSecrets.tokenKey,
    get secrets() {
      return secretStrings();
    },
    deviceCredentials,
    deviceS3,
    seedCamera,
    waitIndexed,
    async stop() {
      for (const c of clients) c.destroy();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
