import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3rver } from '../../local/emulators/start-s3rver.ts';
import { CredentialRegistry } from '../../local/iot/credential-registry.ts';
import { startIotCredentialProvider } from '../../local/iot/iot-credential-provider.ts';
import { createCertificateAuthority, issueDeviceCertificate, issueServerCertificate } from '../../local/pki/certificate-authority.ts';
import { startS3Front } from '../../local/s3-front/s3-front-server.ts';

export const BENCH_BUCKET = 'camrec-bench';
export const BENCH_DEVICE = 'bench-cam';

/** The source and recording settings of one benchmarked agent. */
export interface AgentSettings {
  source: Record<string, unknown>;
  segmentSeconds: number;
  bitrateKbps: number;
  audio?: boolean;
  imageIntervalSeconds?: number;
}

export interface BenchBackend {
  dir: string;
  controlSocket: string;
  /**
   * Writes {dir}/device.json for one agent with this source and returns its path. With
   * `second`, a second agent's (device.b.json): its own device id, certificate, spool,
   * state and control socket (`controlSocketB`), for an A/B run beside the first.
   */
  writeDeviceJson(
    o: AgentSettings & {
      second?: boolean;
      /** device.json fields set over the bench's (objects merged one level deep), e.g. `{ buffer: { writeThrough: false } }`. */
      overrides?: Record<string, unknown>;
    },
  ): string;
  /** The second agent's control socket (see `writeDeviceJson`'s `second`). */
  controlSocketB: string;
  stop(): Promise<void>;
}

/**
 * What the agent uploads to in the benchmarks: s3rver behind the local S3 front (SigV4,
 * write-once), credentials from the local mutual-TLS IoT provider, a fresh CA, device
 * certificate and content key, all in a temp dir.
 */
export async function startBenchBackend(): Promise<BenchBackend> {
  const dir = mkdtempSync(join(tmpdir(), 'camrec-bench-agent-'));
  const ca = createCertificateAuthority('bench CA');
  const server = issueServerCertificate(ca);
  const device = issueDeviceCertificate(ca, BENCH_DEVICE);
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'device.crt'), device.certPem);
  writeFileSync(join(dir, 'device.key'), device.keyPem);
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'content.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const registry = new CredentialRegistry();
  const iot = await startIotCredentialProvider({ caCertPem: ca.certPem, serverCertPem: server.certPem, serverKeyPem: server.keyPem, registry });
  const s3 = await startS3rver({ bucketName: BENCH_BUCKET });
  const front = await startS3Front({ upstream: s3.endpoint, bucket: BENCH_BUCKET, registry });
  const controlSocket = join(dir, 'control.sock');
  const controlSocketB = join(dir, 'control.b.sock');
  const deviceB = issueDeviceCertificate(ca, `${BENCH_DEVICE}-b`);
  writeFileSync(join(dir, 'device.b.crt'), deviceB.certPem);
  writeFileSync(join(dir, 'device.b.key'), deviceB.keyPem);
  return {
    dir,
    controlSocket,
    controlSocketB,
    writeDeviceJson(o) {
      const b = o.second ? '.b' : '';
      const config = {
        deviceId: o.second ? `${BENCH_DEVICE}-b` : BENCH_DEVICE,
        region: 'us-east-1',
        bucket: BENCH_BUCKET,
        s3: { endpoint: front.endpoint, forcePathStyle: true },
        credentials: {
          endpoint: iot.endpoint.replace('https://', ''),
          roleAlias: 'camrec-device',
          certificateFile: `device${b}.crt`,
          privateKeyFile: `device${b}.key`,
          caFile: 'ca.pem',
        },
        contentKeyPublicKeyFile: 'content.pub.pem',
        segmentSeconds: o.segmentSeconds,
        expectedBitrateKbps: o.bitrateKbps,
        buffer: { spoolDir: `spool${b}` },
        stateDir: `state${b}`,
        control: { socketPath: o.second ? controlSocketB : controlSocket },
        source: o.source,
        ...(o.audio === false ? { recording: { audio: false } } : {}),
        ...(o.imageIntervalSeconds !== undefined ? { imageIntervalSeconds: o.imageIntervalSeconds } : {}),
        log: { level: 'warn' },
      };
      const merged: Record<string, unknown> = { ...config };
      for (const [k, v] of Object.entries(o.overrides ?? {}))
        merged[k] = isObject(v) && isObject(merged[k]) ? { ...(merged[k] as Record<string, unknown>), ...v } : v;
      const path = join(dir, `device${b}.json`);
      writeFileSync(path, JSON.stringify(merged, null, 2));
      return path;
    },
    async stop() {
      await front.stop();
      await s3.close();
      await iot.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** GET /v1/status from the agent's control socket. */
export function agentStatus(socketPath: string): Promise<Record<string, any>> {
  return new Promise((resolveStatus, reject) => {
    const req = request({ socketPath, path: '/v1/status' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveStatus(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end();
  });
}
