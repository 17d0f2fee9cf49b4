import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCertificateAuthority, issueDeviceCertificate, issueServerCertificate, type PemPair } from '../../../local/pki/certificate-authority.ts';
import { CredentialRegistry } from '../../../local/iot/credential-registry.ts';
import { LOCAL_THING_TYPE, startIotCredentialProvider, type IotCredentialProvider } from '../../../local/iot/iot-credential-provider.ts';

interface Reply {
  status: number;
  body: string;
  errorType?: string;
}

function get(provider: IotCredentialProvider, ca: string, client: PemPair | undefined, path: string, thing?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${provider.endpoint}${path}`,
      {
        ca,
        cert: client?.certPem,
        key: client?.keyPem,
        headers: thing ? { 'x-amzn-iot-thingname': thing } : {},
        agent: false,
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, errorType: res.headers['x-amzn-errortype'] as string | undefined }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const PATH = '/role-aliases/camrec-device/credentials';
const ca = createCertificateAuthority();
const server = issueServerCertificate(ca);
const cam1 = issueDeviceCertificate(ca, 'cam-1');
const registry = new CredentialRegistry();
let provider: IotCredentialProvider;

beforeAll(async () => {
  provider = await startIotCredentialProvider({
    caCertPem: ca.certPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    registry,
    credentialDurationSeconds: 900,
  });
});
afterAll(() => provider.stop());

describe('local IoT credential provider', () => {
  test('issues credentials shaped like AWS IoT to a device presenting its certificate and thing name', async () => {
    const before = Date.now();
    const r = await get(provider, ca.certPem, cam1, PATH, 'cam-1');
    expect(r.status).toBe(200);
    const { credentials } = JSON.parse(r.body);
    expect(Object.keys(credentials).sort()).toEqual(['accessKeyId', 'expiration', 'secretAccessKey', 'sessionToken']);
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(credentials.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expiresMs = Date.parse(credentials.expiration);
    expect(expiresMs).toBeGreaterThan(before + 899_000);
    expect(expiresMs).toBeLessThanOrEqual(Date.now() + 900_000);
    const held = registry.lookup(credentials.accessKeyId);
    expect(held?.principal).toEqual({ kind: 'device', thingName: 'cam-1', thingTypeName: LOCAL_THING_TYPE });
    expect(held?.secretAccessKey).toBe(credentials.secretAccessKey);
  });

  test('refuses a thing name the certificate is not attached to with 403', async () => {
    const r = await get(provider, ca.certPem, cam1, PATH, 'cam-2');
    expect(r.status).toBe(403);
    expect(r.errorType).toBe('ForbiddenException');
    expect(JSON.parse(r.body).message).toMatch(/not attached to thing cam-2/);
  });

  test('without x-amzn-iot-thingname the credentials carry no thing name and no thing type (as AWS leaves credentials-iot:* unset)', async () => {
    const r = await get(provider, ca.certPem, cam1, PATH, undefined);
    expect(r.status).toBe(200);
    expect(registry.lookup(JSON.parse(r.body).credentials.accessKeyId)?.principal).toEqual({ kind: 'device', thingName: undefined, thingTypeName: undefined });
  });

  test("the credentials carry the thing's own type, whatever it is (the S3 side decides what that type may do)", async () => {
    const typed = await startIotCredentialProvider({
      caCertPem: ca.certPem,
      serverCertPem: server.certPem,
      serverKeyPem: server.keyPem,
      registry,
      thingTypeOf: (t) => (t === 'cam-1' ? 'thermostat' : undefined),
    });
    try {
      const r = await get(typed, ca.certPem, cam1, PATH, 'cam-1');
      expect(registry.lookup(JSON.parse(r.body).credentials.accessKeyId)?.principal).toEqual({
        kind: 'device',
        thingName: 'cam-1',
        thingTypeName: 'thermostat',
      });
    } finally {
      await typed.stop();
    }
  });

  test('refuses a client without a certificate in the TLS handshake', async () => {
    await expect(get(provider, ca.certPem, undefined, PATH, 'cam-1')).rejects.toThrow();
  });

  test('refuses a certificate from another CA in the TLS handshake', async () => {
    const otherCa = createCertificateAuthority('stranger');
    const stranger = issueDeviceCertificate(otherCa, 'cam-1');
    await expect(get(provider, ca.certPem, stranger, PATH, 'cam-1')).rejects.toThrow();
  });

  test('answers 404 for an unknown role alias', async () => {
    const r = await get(provider, ca.certPem, cam1, '/role-aliases/other/credentials', 'cam-1');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).message).toMatch(/Role alias other does not exist/);
  });

  test('honours a changed credential duration', async () => {
    provider.setCredentialDuration(5);
    try {
      const r = await get(provider, ca.certPem, cam1, PATH, 'cam-1');
      const expiresMs = Date.parse(JSON.parse(r.body).credentials.expiration);
      expect(expiresMs - Date.now()).toBeLessThan(6_000);
    } finally {
      provider.setCredentialDuration(900);
    }
  });

  test('injected faults: 503, reset, and recovery', async () => {
    provider.setFault({ kind: 'status', status: 503 });
    const r = await get(provider, ca.certPem, cam1, PATH, 'cam-1');
    expect(r.status).toBe(503);
    expect(r.errorType).toBe('ServiceUnavailableException');
    provider.setFault({ kind: 'reset' });
    await expect(get(provider, ca.certPem, cam1, PATH, 'cam-1')).rejects.toThrow();
    provider.setFault(undefined);
    expect((await get(provider, ca.certPem, cam1, PATH, 'cam-1')).status).toBe(200);
  });

  test('stop refuses connections; restart serves again on the same port', async () => {
    await provider.stop();
    await expect(get(provider, ca.certPem, cam1, PATH, 'cam-1')).rejects.toThrow(/ECONNREFUSED/);
    await provider.restart();
    expect((await get(provider, ca.certPem, cam1, PATH, 'cam-1')).status).toBe(200);
  });
});
