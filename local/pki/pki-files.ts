import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../device/buffer/atomic-file.ts';
import { join } from 'node:path';
import { assertDeviceId } from '../../contract/index.ts';
import type { PemPair } from './certificate-authority.ts';

/** The certificate authority (node-forge) loads only when a file is missing: a restart reads PEM files and never needs it. */
const authority = () => import('./certificate-authority.ts');

/**
 * Local-mode PKI on disk, created on first use and reused afterwards:
 *
 *   {dir}/ca.pem, ca.key                 the local CA (trust anchor for both sides)
 *   {dir}/server.pem, server.key         the IoT credential provider's TLS certificate
 *   {dir}/devices/{thing}.pem, .key      one client certificate per camera (CN = thing)
 *
 * Keys are written with mode 0600.
 */
export interface PkiPaths {
  readonly dir: string;
  readonly caCertPath: string;
  readonly caKeyPath: string;
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
  /** thing name -> its certificate and key paths. */
  readonly devices: ReadonlyMap<string, { readonly certPath: string; readonly keyPath: string }>;
}

export interface LoadedPki {
  readonly paths: PkiPaths;
  readonly ca: PemPair;
  readonly server: PemPair;
  readonly devices: ReadonlyMap<string, PemPair>;
}

async function readPair(certPath: string, keyPath: string): Promise<PemPair | undefined> {
  try {
    return { certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writePair(certPath: string, keyPath: string, pair: PemPair): Promise<void> {
  // Atomic writes: a crash never leaves half a PEM behind.
  await writeFileAtomic(keyPath, pair.keyPem, 0o600);
  await writeFileAtomic(certPath, pair.certPem, 0o644);
}

async function ensurePair(certPath: string, keyPath: string, make: () => PemPair | Promise<PemPair>): Promise<PemPair> {
  const existing = await readPair(certPath, keyPath);
  if (existing) return existing;
  const pair = await make();
  await writePair(certPath, keyPath, pair);
  return pair;
}

/**
 * Loads the PKI under `dir`, creating whatever is missing: the CA, the server certificate
 * and a device certificate for each of `thingNames`. Existing files are kept as they are.
 */
export async function ensureLocalPki(dir: string, thingNames: readonly string[]): Promise<LoadedPki> {
  thingNames.forEach((t) => assertDeviceId(t));
  await mkdir(join(dir, 'devices'), { recursive: true });
  const caCertPath = join(dir, 'ca.pem');
  const caKeyPath = join(dir, 'ca.key');
  const serverCertPath = join(dir, 'server.pem');
  const serverKeyPath = join(dir, 'server.key');
  // Keys for whatever is missing are generated in parallel on the thread pool.
  const ca = await ensurePair(caCertPath, caKeyPath, async () => {
    const { createCertificateAuthority, newKeyPairAsync } = await authority();
    return createCertificateAuthority(undefined, undefined, await newKeyPairAsync());
  });
  const devicePaths = new Map<string, { certPath: string; keyPath: string }>();
  const devices = new Map<string, PemPair>();
  const [server] = await Promise.all([
    ensurePair(serverCertPath, serverKeyPath, async () => {
      const { issueServerCertificate, newKeyPairAsync } = await authority();
      return issueServerCertificate(ca, undefined, undefined, await newKeyPairAsync());
    }),
    ...thingNames.map(async (thing) => {
      const certPath = join(dir, 'devices', `${thing}.pem`);
      const keyPath = join(dir, 'devices', `${thing}.key`);
      devicePaths.set(thing, { certPath, keyPath });
      devices.set(
        thing,
        await ensurePair(certPath, keyPath, async () => {
          const { issueDeviceCertificate, newKeyPairAsync } = await authority();
          return issueDeviceCertificate(ca, thing, undefined, await newKeyPairAsync());
        }),
      );
    }),
  ]);
  return {
    paths: { dir, caCertPath, caKeyPath, serverCertPath, serverKeyPath, devices: devicePaths },
    ca,
    server: server!,
    devices,
  };
}
