/**
 * The real parts an agent talks to, on free ports, for integration tests: s3rver behind
 * the local S3 front (SigV4, 412 for existing keys, prefix scoping, ExpiredToken), the
 * local mutual-TLS IoT credential provider with a CA generated here, and the fault proxy
 * between agent and S3. Also a reader that fetches and decrypts what landed.
 */
import { execFileSync } from 'node:child_process';
import { createDecipheriv, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { parseObjectKey, parseSegmentMetadata, unwrapDataKeyLocally, type SegmentMetadata } from '../../contract/index.ts';
import { parseDeviceConfig, type DeviceConfig, type DeviceConfigInput } from '../../device/config/index.ts';
import { AccessUnitAssembler } from '../../media/h264/access-unit-assembler.ts';
import { AnnexBSplitter } from '../../media/bitstream/annexb-splitter.ts';
import { CredentialRegistry } from '../../local/iot/credential-registry.ts';
import { startIotCredentialProvider, type IotCredentialProvider } from '../../local/iot/iot-credential-provider.ts';
import { createCertificateAuthority, issueDeviceCertificate, issueServerCertificate } from '../../local/pki/certificate-authority.ts';
import { startS3Front, type S3Front } from '../../local/s3-front/s3-front-server.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { startS3rverFixture, type S3rverFixture } from './s3rver-fixture.ts';
import { until as untilShared } from './until.ts';

export const BUCKET = 'camrec-test';
export const DEVICE_ID = 'cam-test-1';

export interface Stack {
  dir: string;
  iot: IotCredentialProvider;
  s3: S3rverFixture;
  front: S3Front;
  proxy: FaultProxy;
  contentPrivateKey: KeyObject;
  /** A valid config for DEVICE_ID pointing at the proxy; override fields per test. */
  config(over?: Partial<DeviceConfigInput>): DeviceConfig;
  reader: S3Client;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'camrec-agent-'));
  const ca = createCertificateAuthority('agent test CA');
  const server = issueServerCertificate(ca);
  const device = issueDeviceCertificate(ca, DEVICE_ID);
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'device.crt'), device.certPem);
  writeFileSync(join(dir, 'device.key'), device.keyPem);
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'content-key.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const registry = new CredentialRegistry();
  const iot = await startIotCredentialProvider({ caCertPem: ca.certPem, serverCertPem: server.certPem, serverKeyPem: server.keyPem, registry });
  const s3 = await startS3rverFixture(BUCKET);
  const front = await startS3Front({ upstream: s3.endpoint, bucket: BUCKET, registry });
  const proxy = await startFaultProxy({ target: front.endpoint });
  const reader = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  let n = 0;
  return {
    dir,
    iot,
    s3,
    front,
    proxy,
    contentPrivateKey: privateKey,
    reader,
    config(over = {}) {
      const sub = join(dir, `agent-${n++}`);
      return parseDeviceConfig(
        {
          deviceId: DEVICE_ID,
          region: 'us-east-1',
          bucket: BUCKET,
          s3: { endpoint: proxy.url, forcePathStyle: true },
          credentials: {
            endpoint: iot.endpoint.replace('https://', ''),
            roleAlias: 'camrec-device',
            certificateFile: 'device.crt',
            privateKeyFile: 'device.key',
            caFile: 'ca.pem',
          },
          contentKeyPublicKeyFile: 'content-key.pub.pem',
          segmentSeconds: 1,
          buffer: { spoolDir: join(sub, 'spool'), spoolMaxBytes: 64 * 1024 * 1024 },
          stateDir: join(sub, 'state'),
          upload: { concurrency: 2, retryBaseSeconds: 0.05, retryMaxSeconds: 0.5, requestTimeoutSeconds: 5 },
          ...over,
        },
        dir,
      );
    },
    async close() {
      reader.destroy();
      await proxy.stop();
      await front.stop();
      await s3.close();
      await iot.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface StoredSegment {
  key: string;
  meta: SegmentMetadata;
  plain: Buffer;
}

/** Every object under a top folder for DEVICE_ID, keys sorted. */
export async function listKeys(stack: Stack, folder: 'segments' | 'init' | 'keys' | 'events' | 'images' | 'event-images'): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await stack.reader.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${folder}/${DEVICE_ID}/`, ContinuationToken: token }));
    for (const o of r.Contents ?? []) keys.push(o.Key!);
    token = r.NextContinuationToken;
  } while (token);
  return keys.sort();
}

export async function getObject(stack: Stack, key: string): Promise<{ body: Buffer; metadata: Record<string, string>; contentType?: string }> {
  const r = await stack.reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return { body: Buffer.from(await r.Body!.transformToByteArray()), metadata: r.Metadata ?? {}, contentType: r.ContentType };
}

/** Fetches every segment, unwraps its key with the deployment's private key and decrypts it. */
export async function readSegments(stack: Stack, range: { fromMs?: number; toMs?: number } = {}): Promise<StoredSegment[]> {
  const out: StoredSegment[] = [];
  const keyCache = new Map<string, Buffer>();
  for (const key of await listKeys(stack, 'segments')) {
    const parsed = parseObjectKey(key);
    if (parsed.kind !== 'segment' || parsed.startMs < (range.fromMs ?? 0) || parsed.startMs >= (range.toMs ?? Infinity)) continue;
    const { body, metadata } = await getObject(stack, key);
    const meta = parseSegmentMetadata(metadata);
    let dataKey = keyCache.get(meta.keyId);
    if (!dataKey) {
      const wrapped = await getObject(stack, `keys/${DEVICE_ID}/${meta.keyId}.bin`);
      dataKey = unwrapDataKeyLocally(stack.contentPrivateKey, wrapped.body, { deviceId: DEVICE_ID, keyId: meta.keyId });
      keyCache.set(meta.keyId, dataKey);
    }
    const d = createDecipheriv('aes-128-cbc', dataKey, Buffer.from(meta.iv, 'hex'));
    out.push({ key, meta, plain: Buffer.concat([d.update(body), d.final()]) });
  }
  return out.sort((a, b) => a.meta.seq - b.meta.seq);
}

/** True when `ts` is whole 188-byte packets each starting with the sync byte 0x47. */
export function isWholeTs(ts: Uint8Array): boolean {
  if (ts.length === 0 || ts.length % 188 !== 0) return false;
  for (let i = 0; i < ts.length; i += 188) if (ts[i] !== 0x47) return false;
  return true;
}

/** What makeClip draws besides its defaults (320x240 testsrc, x264's own rate). */
export interface ClipOptions {
  /** @default '320x240' */
  readonly size?: string;
  /** @default 'testsrc' */
  readonly source?: 'testsrc' | 'testsrc2';
  /** ffmpeg noise filter options (e.g. 'alls=30:allf=t+u'): grain keeps x264 at its target rate. */
  readonly noise?: string;
  /** Target rate (kbit/s), held by the VBV (maxrate, half a second of buffer). */
  readonly kbps?: number;
}

/** A small H.264 clip (320x240 unless `o` says, 25 fps, IDR every `gop` frames, no B-frames, baseline) as Annex-B access units. */
export function makeClip(dir: string, seconds: number, gop = 25, o: ClipOptions = {}): Uint8Array[] {
  const size = o.size ?? '320x240';
  const file = join(dir, `clip-${seconds}-${gop}-${size}${o.kbps ? `-${o.kbps}k` : ''}.h264`);
  const input = `${o.source ?? 'testsrc'}=size=${size}:rate=25:duration=${seconds}${o.noise ? `,noise=${o.noise}` : ''}`;
  const rate = o.kbps ? ['-b:v', `${o.kbps}k`, '-maxrate', `${o.kbps}k`, '-bufsize', `${o.kbps / 2}k`] : [];
  execFileSync('/usr/bin/ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    input,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-profile:v',
    'baseline',
    ...rate,
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'h264',
    file,
  ]);
  return splitAccessUnits(readFileSync(file));
}

export function splitAccessUnits(annexB: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const asm = new AccessUnitAssembler((au) => {
    if (!au.hasVcl) return;
    frames.push(Buffer.concat(au.nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), Buffer.from(n)])));
  });
  const splitter = new AnnexBSplitter((e) => asm.push(e));
  splitter.push(annexB, 0);
  splitter.flush();
  asm.flush();
  return frames;
}

/** One access unit's NAL units (no start codes), as a source that split the stream hands them over (`putVideoNals`). */
export function nalsOf(frame: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const s = new AnnexBSplitter((e) => out.push(e.nal));
  s.push(frame);
  s.flush();
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The tests' one poll helper (test/support/until.ts), polling every 25 ms. */
export const until = (what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<unknown> =>
  untilShared(what, cond, { timeoutMs, intervalMs: 25 });
