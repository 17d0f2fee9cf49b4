import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../device/core/agent-errors.ts';
import { defaultMemoryBytes, loadDeviceConfig } from '../../../device/config/index.ts';

const EXAMPLE = new URL('../../../device/config/device.example.json', import.meta.url);

describe('loadDeviceConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-config-'));
    mkdirSync(join(dir, 'certs'));
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'certs/content-key.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    for (const f of ['device.pem.crt', 'device.pem.key', 'AmazonRootCA1.pem']) writeFileSync(join(dir, 'certs', f), 'x');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the shipped example, fills defaults and resolves paths against the file', () => {
    writeFileSync(join(dir, 'device.json'), readFileSync(EXAMPLE));
    const c = loadDeviceConfig(join(dir, 'device.json'));
    expect(c.deviceId).toBe('front-door-cam');
    expect(c.credentials.caFile).toBe(join(dir, 'certs/AmazonRootCA1.pem'));
    expect(c.credentials.refreshAheadSeconds).toBe(300);
    expect(c.s3.forcePathStyle).toBe(false);
    expect(c.buffer.writeThrough).toBe(true); // no completed segment is lost on kill -9 unless the maker opts out
    expect(c.segmentSeconds).toBe(6);
    // two 6 s segments at the default 5 Mbit/s: 2 x 3.75 MB
    expect(defaultMemoryBytes(c)).toBe(7_500_000);
    expect(defaultMemoryBytes({ segmentSeconds: 2, expectedBitrateKbps: 5000 })).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('refuses an http:// S3 endpoint to a non-loopback host unless allowInsecureHttp is set; loopback http and https pass', () => {
    const load = (s3: object) => {
      const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
      raw.s3 = s3;
      writeFileSync(join(dir, 'device.json'), JSON.stringify(raw));
      return loadDeviceConfig(join(dir, 'device.json'));
    };
    expect(() => load({ endpoint: 'http://nas.lan:9000', forcePathStyle: true })).toThrow(
      /s3\.endpoint: http:\/\/nas\.lan:9000 is plain http:\/\/ to a host that is not loopback: use https:\/\/, or set s3\.allowInsecureHttp: true/,
    );
    expect(() => load({ endpoint: 'http://10.0.0.5:9000' })).toThrow(ConfigError);
    expect(load({ endpoint: 'http://nas.lan:9000', allowInsecureHttp: true }).s3.allowInsecureHttp).toBe(true);
    for (const ok of ['http://127.0.0.1:4569', 'http://localhost:9000', 'http://[::1]:9000', 'https://nas.lan:9000'])
      expect(load({ endpoint: ok }).s3.endpoint).toBe(ok);
  });

  it('an S3 endpoint that is not a URL is a config error naming the field (not a crash in the http:// check)', () => {
    const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    raw.s3 = { endpoint: 'nas lan 9000' };
    writeFileSync(join(dir, 'device.json'), JSON.stringify(raw));
    expect(() => loadDeviceConfig(join(dir, 'device.json'))).toThrow(ConfigError);
    expect(() => loadDeviceConfig(join(dir, 'device.json'))).toThrow(/s3\.endpoint: Invalid URL/);
  });

  it('lists every problem at once', () => {
    const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    raw.deviceId = 'bad/id';
    raw.segmentSeconds = 0;
    raw.bucket = 'No_Such';
    raw.recording.mode = 'sometimes';
    raw.source = { type: 'file' };
    raw.unknownField = 1;
    writeFileSync(join(dir, 'device.json'), JSON.stringify(raw));
    let err: unknown;
    try {
      loadDeviceConfig(join(dir, 'device.json'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const field of ['deviceId', 'segmentSeconds', 'bucket', 'recording.mode', 'unknownField']) expect(problems).toContain(field);
    expect((err as Error).message).toMatch(/problem\(s\)/);
  });

  it('the link settings: no cap and no windows by default; a bad window or cap is named with what is expected', () => {
    writeFileSync(join(dir, 'device.json'), readFileSync(EXAMPLE));
    const c = loadDeviceConfig(join(dir, 'device.json'));
    expect(c.upload.maxBytesPerSecond).toBeUndefined();
    expect(c.upload.backlogWindows).toEqual([]);
    expect(c.heartbeatSeconds).toBe(45);
    const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    raw.upload = { maxBytesPerSecond: 100, backlogWindows: ['01:00-05:00', '1am-5am'] };
    writeFileSync(join(dir, 'device.json'), JSON.stringify(raw));
    let err: unknown;
    try {
      loadDeviceConfig(join(dir, 'device.json'));
    } catch (e) {
      err = e;
    }
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/upload\.maxBytesPerSecond.*8000/);
    expect(problems).toMatch(/upload\.backlogWindows\.1.*"1am-5am" must be "HH:MM-HH:MM"/);
  });

  it('reports unreadable files and a bad public key together', () => {
    const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    raw.credentials.caFile = 'certs/missing.pem';
    delete raw.contentKeyPublicKeyFile;
    raw.contentKeyPublicKeyPem = 'not a key';
    writeFileSync(join(dir, 'device.json'), JSON.stringify(raw));
    expect(() => loadDeviceConfig(join(dir, 'device.json'))).toThrow(/caFile: cannot read .*ENOENT[\s\S]*contentKeyPublicKeyPem/);
  });

  it('a private store: s3.caFile resolves against the config file and must be readable', () => {
    const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    raw.s3 = { endpoint: 'https://nas.local:9000', forcePathStyle: true, caFile: 'certs/lan-ca.pem' };
    writeFileSync(join(dir, 'device.json'), JSON.stringify(raw));
    expect(() => loadDeviceConfig(join(dir, 'device.json'))).toThrow(/s3\.caFile: cannot read .*lan-ca\.pem.*ENOENT/);
    writeFileSync(join(dir, 'certs/lan-ca.pem'), 'x');
    expect(loadDeviceConfig(join(dir, 'device.json')).s3.caFile).toBe(join(dir, 'certs/lan-ca.pem'));
  });

  it('says when the file is not JSON', () => {
    writeFileSync(join(dir, 'device.json'), '{ nope');
    expect(() => loadDeviceConfig(join(dir, 'device.json'))).toThrow(/not valid JSON/);
  });
});
