import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsError } from '../../../device/core/agent-errors.ts';
import { IotCredentialProvider } from '../../../device/credentials/iot-credential-provider.ts';
import { createIotCredentialsFetcher, type IotCredentials } from '../../../device/credentials/iot-credentials-client.ts';
import { CredentialRegistry } from '../../../local/iot/credential-registry.ts';
import { startIotCredentialProvider, type IotCredentialProvider as LocalIot } from '../../../local/iot/iot-credential-provider.ts';
import { createCertificateAuthority, issueDeviceCertificate, issueServerCertificate, type PemPair } from '../../../local/pki/certificate-authority.ts';
import { until } from '../../support/until.ts';

const THING = 'cam-1';

describe('IoT credentials over mutual TLS (local provider with a CA generated here)', () => {
  let ca: PemPair;
  let device: PemPair;
  let iot: LocalIot;
  beforeAll(async () => {
    ca = createCertificateAuthority('test CA');
    const server = issueServerCertificate(ca);
    device = issueDeviceCertificate(ca, THING);
    iot = await startIotCredentialProvider({
      caCertPem: ca.certPem,
      serverCertPem: server.certPem,
      serverKeyPem: server.keyPem,
      registry: new CredentialRegistry(),
    });
  });
  afterAll(async () => iot.stop());

  const fetcher = (over: Partial<Parameters<typeof createIotCredentialsFetcher>[0]> = {}) =>
    createIotCredentialsFetcher({
      endpoint: iot.endpoint.replace('https://', ''),
      roleAlias: 'camrec-device',
      thingName: THING,
      certificatePem: device.certPem,
      privateKeyPem: device.keyPem,
      caPem: ca.certPem,
      timeoutMs: 2000,
      ...over,
    });

  it('fetches temporary credentials with the device certificate', async () => {
    const c = await fetcher()();
    expect(c.accessKeyId).toMatch(/^ASIA/);
    expect(c.sessionToken.length).toBeGreaterThan(20);
    expect(c.expirationMs - Date.now()).toBeGreaterThan(3000_000);
    expect(c.serverDateMs).toBeTypeOf('number');
  });

  it('refuses a server whose certificate is not signed by the configured CA', async () => {
    const otherCa = createCertificateAuthority('other CA');
    await expect(fetcher({ caPem: otherCa.certPem })()).rejects.toThrow(
      /cannot reach the IoT credential provider.*(self.signed|unable to verify|certificate)/i,
    );
  });

  it('reports a wrong role alias as not retryable, with what to check', async () => {
    const err = await fetcher({ roleAlias: 'nope' })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as CredentialsError).statusCode).toBe(404);
    expect((err as CredentialsError).retryable).toBe(false);
    expect((err as Error).message).toMatch(/role alias/);
  });

  it('caches, and keeps the last good credentials while the endpoint is down', async () => {
    let now = Date.now();
    const p = new IotCredentialProvider({ fetch: fetcher(), now: () => now, random: () => 0.5 });
    const before = iot.issuedCount;
    const a = await p.provide();
    const b = await p.provide();
    expect(b.accessKeyId).toBe(a.accessKeyId);
    expect(iot.issuedCount).toBe(before + 1);
    await iot.stop();
    try {
      now += 3500_000; // inside the refresh-ahead window, not yet expired
      const c = await p.provide(); // background refresh fails
      expect(c.accessKeyId).toBe(a.accessKeyId);
      await until('the background refresh to fail', () => p.lastRefreshError !== undefined, 10_000);
      expect(p.lastRefreshError).toBeInstanceOf(CredentialsError);
      expect((await p.provide()).accessKeyId).toBe(a.accessKeyId);
      now += 200_000; // past expiry, endpoint still down
      await expect(p.provide()).rejects.toMatchObject({ name: 'CredentialsError', retryable: true });
    } finally {
      await iot.restart();
    }
    now += 120_000; // past the backoff
    const d = await p.provide();
    expect(d.accessKeyId).not.toBe(a.accessKeyId);
  });
});

describe('IotCredentialProvider timing', () => {
  const creds = (n: number, expirationMs: number, serverDateMs?: number): IotCredentials => ({
    accessKeyId: `AK${n}`,
    secretAccessKey: 's',
    sessionToken: 't',
    expirationMs,
    serverDateMs,
  });

  it('refreshes ahead of expiry in the background and returns the new ones next', async () => {
    let now = 1_000_000;
    let n = 0;
    const p = new IotCredentialProvider({ fetch: async () => creds(++n, now + 3600_000, now), now: () => now });
    expect((await p.provide()).accessKeyId).toBe('AK1');
    now += 3600_000 - 200_000;
    expect((await p.provide()).accessKeyId).toBe('AK1');
    await new Promise((r) => setImmediate(r));
    expect((await p.provide()).accessKeyId).toBe('AK2');
  });

  it('measures lifetime against the provider clock, so a skewed device clock still works', async () => {
    const realNow = 1_700_000_000_000;
    const deviceNow = realNow + 2 * 3600_000; // device clock two hours fast
    const p = new IotCredentialProvider({ fetch: async () => creds(1, realNow + 3600_000, realNow), now: () => deviceNow });
    const id = await p.provide();
    expect(id.accessKeyId).toBe('AK1');
    expect(p.expiresAt!.getTime()).toBe(deviceNow + 3600_000);
  });

  it('fetches again after invalidate (S3 said the token expired)', async () => {
    let n = 0;
    const p = new IotCredentialProvider({ fetch: async () => creds(++n, Date.now() + 3600_000) });
    expect((await p.provide()).accessKeyId).toBe('AK1');
    p.invalidate();
    expect((await p.provide()).accessKeyId).toBe('AK2');
  });

  it('backs off with jitter after failures instead of hammering the endpoint', async () => {
    let now = 0;
    let calls = 0;
    const p = new IotCredentialProvider({
      fetch: async () => {
        calls++;
        throw new Error('down');
      },
      now: () => now,
      random: () => 0.99,
      backoffBaseMs: 1000,
    });
    await expect(p.provide()).rejects.toThrow(/down/);
    await expect(p.provide()).rejects.toThrow(/next attempt in/);
    expect(calls).toBe(1);
    now += 1000;
    await expect(p.provide()).rejects.toThrow(/down/);
    expect(calls).toBe(2);
    now += 1000; // second backoff is up to 2 s
    await expect(p.provide()).rejects.toThrow(/next attempt in/);
  });

  it('after a long outage the next attempt is never more than 20 s away, so uploads resume soon after the provider returns', async () => {
    let now = 0;
    let up = false;
    const p = new IotCredentialProvider({
      fetch: async () => {
        if (!up) throw new Error('down');
        return { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T', expirationMs: now + 3_600_000, serverDateMs: now };
      },
      now: () => now,
      random: () => 0.999,
    });
    for (let i = 0; i < 20; i++) {
      await expect(p.provide()).rejects.toThrow();
      now += 20_000; // the longest backoff at the default cap
    }
    up = true;
    await expect(p.provide()).resolves.toMatchObject({ accessKeyId: 'A' });
  });
});
