import { readFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { DeviceConfigInput } from '../../device/config/device-config-schema.ts';
import { packagePath } from '../../local/package-root.ts';
import { OutputExistsError } from './provision-errors.ts';

/** Files inside the output folder, relative to device.json (the agent resolves them so). */
export const DeviceFile = {
  CONFIG: 'device.json',
  CERTIFICATE: 'certs/device.pem.crt',
  PRIVATE_KEY: 'certs/device.pem.key',
  ROOT_CA: 'certs/AmazonRootCA1.pem',
  CONTENT_KEY: 'certs/content-key.pub.pem',
  SPOOL_DIR: 'spool',
  STATE_DIR: 'state',
} as const;

/** Owner read/write only: the device private key. */
export const PRIVATE_KEY_MODE = 0o600;

/** Amazon Root CA 1, the CA of the IoT credential provider's server certificate (public). */
export const AMAZON_ROOT_CA_1_PATH = packagePath('bin', 'provision', 'AmazonRootCA1.pem');

export interface DeviceMaterial {
  readonly deviceId: string;
  readonly region: string;
  readonly bucket: string;
  readonly credentialEndpoint: string;
  readonly roleAlias: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly contentKeyPublicKeyPem: string;
  readonly segmentSeconds: number;
  readonly rtspUrl?: string;
}

/** Pure: device.json for this device (paths relative to the file, as device/config resolves them). */
export function buildDeviceConfig(m: DeviceMaterial): DeviceConfigInput {
  return {
    deviceId: m.deviceId,
    region: m.region,
    bucket: m.bucket,
    credentials: {
      endpoint: m.credentialEndpoint,
      roleAlias: m.roleAlias,
      certificateFile: DeviceFile.CERTIFICATE,
      privateKeyFile: DeviceFile.PRIVATE_KEY,
      caFile: DeviceFile.ROOT_CA,
    },
    contentKeyPublicKeyFile: DeviceFile.CONTENT_KEY,
    segmentSeconds: m.segmentSeconds,
    buffer: { spoolDir: DeviceFile.SPOOL_DIR },
    stateDir: DeviceFile.STATE_DIR,
    ...(m.rtspUrl ? { source: { type: 'rtsp' as const, url: m.rtspUrl } } : {}),
  };
}

/**
 * Creates `dir` (its parent may be created; `dir` itself must not exist: EEXIST means
 * refuse). Returns the absolute path. Claiming the folder first means two runs can never
 * write the same keys.
 */
export async function claimOutputDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  await mkdir(dirname(abs), { recursive: true });
  try {
    await mkdir(abs, { recursive: false, mode: 0o700 });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') throw new OutputExistsError(abs);
    throw cause;
  }
  return abs;
}

/** Writes device.json, the certificate, the private key (0600), the root CA and the content key. */
export async function writeDeviceFiles(dir: string, m: DeviceMaterial): Promise<string[]> {
  await mkdir(join(dir, 'certs'), { mode: 0o700 });
  const written: string[] = [];
  const put = async (rel: string, text: string, mode = 0o644) => {
    const path = join(dir, rel);
    await writeFile(path, text, { mode, flag: 'wx' });
    await chmod(path, mode); // the umask may have narrowed or the flag not applied
    written.push(path);
  };
  await put(DeviceFile.PRIVATE_KEY, m.privateKeyPem, PRIVATE_KEY_MODE);
  await put(DeviceFile.CERTIFICATE, m.certificatePem);
  await put(DeviceFile.ROOT_CA, readFileSync(AMAZON_ROOT_CA_1_PATH, 'utf8'));
  await put(DeviceFile.CONTENT_KEY, m.contentKeyPublicKeyPem);
  await put(DeviceFile.CONFIG, `${JSON.stringify(buildDeviceConfig(m), null, 2)}\n`);
  return written;
}

export async function removeOutputDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** base64 DER (SPKI), as KMS GetPublicKey returns it, to PEM. */
export function spkiDerToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}
