import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createCertificateAuthority, issueDeviceCertificate, issueServerCertificate } from '../../../local/pki/certificate-authority.ts';
import { ensureLocalPki } from '../../../local/pki/pki-files.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('local certificate authority', () => {
  const ca = createCertificateAuthority();
  const caX509 = new X509Certificate(ca.certPem);

  test('the CA is a self-signed CA certificate', () => {
    expect(caX509.ca).toBe(true);
    expect(caX509.verify(caX509.publicKey)).toBe(true);
  });

  test('the server certificate is signed by the CA and names 127.0.0.1 and localhost', () => {
    const server = new X509Certificate(issueServerCertificate(ca).certPem);
    expect(server.checkIssued(caX509)).toBe(true);
    expect(server.verify(caX509.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.ca).toBe(false);
  });

  test('a device certificate carries the thing name as its CN', () => {
    const device = new X509Certificate(issueDeviceCertificate(ca, 'front-door').certPem);
    expect(device.subject).toBe('CN=front-door');
    expect(device.verify(caX509.publicKey)).toBe(true);
    expect(device.keyUsage).toContain('1.3.6.1.5.5.7.3.2'); // clientAuth
  });

  test('a thing name that could not be an IoT thing name is refused', () => {
    expect(() => issueDeviceCertificate(ca, '../evil')).toThrow(/invalid device id/);
  });
});

describe('ensureLocalPki', () => {
  test('creates the files once with private keys readable only by the owner, then reuses them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camrec-pki-'));
    dirs.push(dir);
    const first = await ensureLocalPki(dir, ['cam-1']);
    expect((await stat(first.paths.caKeyPath)).mode & 0o777).toBe(0o600);
    const dev = first.paths.devices.get('cam-1')!;
    expect(await readFile(dev.certPath, 'utf8')).toBe(first.devices.get('cam-1')!.certPem);

    const second = await ensureLocalPki(dir, ['cam-1', 'cam-2']);
    expect(second.ca.certPem).toBe(first.ca.certPem);
    expect(second.devices.get('cam-1')!.certPem).toBe(first.devices.get('cam-1')!.certPem);
    expect(new X509Certificate(second.devices.get('cam-2')!.certPem).subject).toBe('CN=cam-2');
  });
});
