import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { assertDeviceId } from '../../contract/index.ts';

/**
 * A tiny X.509 authority for local mode: one self-signed CA, a TLS server certificate for
 * the local IoT credential provider (127.0.0.1 / localhost), and one client certificate per
 * device whose subject CN is the thing name (what AWS IoT calls "attached to the thing").
 *
 * RSA keys come from node:crypto (native, ~50 ms for 2048 bits); node-forge only builds
 * and signs the certificates, because its pure-JS key generation takes seconds.
 */
export interface PemPair {
  /** The certificate, PEM. */
  readonly certPem: string;
  /** The PKCS#8 private key, PEM. */
  readonly keyPem: string;
}

export const RSA_KEY_BITS = 2048;
const DAY_MS = 86_400_000;
export const CertValidityDays = { CA: 3650, SERVER: 825, DEVICE: 3650 } as const;

function newKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: RSA_KEY_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    keyPem: privateKey,
  };
}

/** A positive serial number (first byte below 0x80, so DER does not read it as negative). */
function serialHex(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function baseCert(publicKey: forge.pki.rsa.PublicKey, validityDays: number, nowMs: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialHex();
  // Backdate an hour so small clock differences never make a fresh certificate "not yet valid".
  cert.validity.notBefore = new Date(nowMs - 3_600_000);
  cert.validity.notAfter = new Date(nowMs + validityDays * DAY_MS);
  return cert;
}

export function createCertificateAuthority(commonName = 'camrec local CA', nowMs = Date.now()): PemPair {
  const keys = newKeyPair();
  const cert = baseCert(keys.publicKey, CertValidityDays.CA, nowMs);
  const subject = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'camrec local' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function issue(ca: PemPair, commonName: string, validityDays: number, extensions: object[], nowMs: number): PemPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = newKeyPair();
  const cert = baseCert(keys.publicKey, validityDays, nowMs);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ...extensions,
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/** A TLS server certificate; `hosts` become subjectAltNames (IP addresses or DNS names). */
export function issueServerCertificate(ca: PemPair, hosts: readonly string[] = ['127.0.0.1', 'localhost', '::1'], nowMs = Date.now()): PemPair {
  const altNames = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  return issue(ca, hosts[0] ?? 'localhost', CertValidityDays.SERVER, [
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ], nowMs);
}

/** A device (client) certificate whose subject CN is the IoT thing name. */
export function issueDeviceCertificate(ca: PemPair, thingName: string, nowMs = Date.now()): PemPair {
  assertDeviceId(thingName);
  return issue(ca, thingName, CertValidityDays.DEVICE, [
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ], nowMs);
}
