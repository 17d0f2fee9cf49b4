import { constants, createPrivateKey, generateKeyPair, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { assertDeviceId } from '../../contract/index.ts';

/**
 * A tiny X.509 authority for local mode: one self-signed CA, a TLS server certificate for
 * the local IoT credential provider (127.0.0.1 / localhost), and one client certificate per
 * device whose subject CN is the thing name (what AWS IoT calls "attached to the thing").
 *
 * RSA keys come from node:crypto (native, ~50 ms for 2048 bits, off the main thread in
 * the async variants); node-forge only builds the certificates, and the signature itself
 * is made natively too (forge's pure-JS RSA takes seconds to generate and ~100 ms to sign).
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

interface KeyPair {
  readonly publicKey: forge.pki.rsa.PublicKey;
  readonly keyPem: string;
}

const RSA_OPTIONS = {
  modulusLength: RSA_KEY_BITS,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
} as const;

const toPair = (k: { publicKey: string; privateKey: string }): KeyPair => ({
  publicKey: forge.pki.publicKeyFromPem(k.publicKey) as forge.pki.rsa.PublicKey,
  keyPem: k.privateKey,
});

function newKeyPair(): KeyPair {
  return toPair(generateKeyPairSync('rsa', RSA_OPTIONS));
}

/** A fresh RSA key pair generated on libuv's thread pool (several at once run in parallel). */
export async function newKeyPairAsync(): Promise<KeyPair> {
  return toPair(await promisify(generateKeyPair)('rsa', RSA_OPTIONS));
}

/**
 * DER of DigestInfo{sha256} before the 32-byte digest (RFC 8017 section 9.2 note 1):
 * SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.2.1, NULL }, OCTET STRING (32) }
 */
const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * A signer forge's `cert.sign` accepts, doing RSASSA-PKCS1-v1_5 natively: forge hands it
 * the SHA-256 of the TBSCertificate, node's privateEncrypt applies type-1 padding.
 */
function nativeSigner(keyPem: string): forge.pki.rsa.PrivateKey {
  const key: KeyObject = createPrivateKey(keyPem);
  return {
    sign: (md: forge.md.MessageDigest) => {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO_PREFIX, digest])).toString('binary');
    },
  } as unknown as forge.pki.rsa.PrivateKey;
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

export function createCertificateAuthority(commonName = 'camrec local CA', nowMs = Date.now(), keys: KeyPair = newKeyPair()): PemPair {
  const cert = baseCert(keys.publicKey, CertValidityDays.CA, nowMs);
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'camrec local' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(nativeSigner(keys.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function issue(ca: PemPair, commonName: string, validityDays: number, extensions: object[], nowMs: number, keys: KeyPair): PemPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = baseCert(keys.publicKey, validityDays, nowMs);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ...extensions,
  ]);
  cert.sign(nativeSigner(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/** A TLS server certificate; `hosts` become subjectAltNames (IP addresses or DNS names). */
export function issueServerCertificate(
  ca: PemPair,
  hosts: readonly string[] = ['127.0.0.1', 'localhost', '::1'],
  nowMs = Date.now(),
  keys: KeyPair = newKeyPair(),
): PemPair {
  const altNames = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  return issue(
    ca,
    hosts[0] ?? 'localhost',
    CertValidityDays.SERVER,
    [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
    nowMs,
    keys,
  );
}

/** A device (client) certificate whose subject CN is the IoT thing name. */
export function issueDeviceCertificate(ca: PemPair, thingName: string, nowMs = Date.now(), keys: KeyPair = newKeyPair()): PemPair {
  assertDeviceId(thingName);
  return issue(
    ca,
    thingName,
    CertValidityDays.DEVICE,
    [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
    nowMs,
    keys,
  );
}
