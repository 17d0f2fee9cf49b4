import { describe, expect, test } from 'vitest';
import { deviceConfigSchema } from '../../../device/config/device-config-schema.ts';

const minimal = {
  deviceId: 'cam-1',
  region: 'eu-west-1',
  bucket: 'camrec-bucket',
  credentials: {
    endpoint: 'x.credentials.iot.eu-west-1.amazonaws.com',
    roleAlias: 'camrec',
    certificateFile: 'c.pem',
    privateKeyFile: 'k.pem',
    caFile: 'ca.pem',
  },
  contentKeyPublicKeyFile: 'content.pem',
  stateDir: 'state',
  buffer: { spoolDir: 'spool' },
};

describe('device.json defaults are written once', () => {
  // A section left out must get the same values as the section written as {}: the
  // section's own field defaults, not a second copy of them that can drift.
  test.each(['s3', 'upload', 'recording', 'source', 'log'] as const)("an omitted %s section gets its fields' defaults", (section) => {
    const omitted = deviceConfigSchema.parse(minimal)[section];
    const empty = deviceConfigSchema.parse({ ...minimal, [section]: {} })[section];
    expect(omitted).toEqual(empty);
    expect(Object.keys(omitted).length).toBeGreaterThan(0);
  });

  test('the defaults a camera maker reads in the schema are what the agent runs with', () => {
    const c = deviceConfigSchema.parse(minimal);
    expect(c.upload).toMatchObject({ concurrency: 2, requestTimeoutSeconds: 30, retryBaseSeconds: 0.5, retryMaxSeconds: 30, backlogWindows: [] });
    expect(c.recording).toMatchObject({
      mode: 'continuous',
      preRecordSeconds: 2,
      postRecordSeconds: 5,
      maxEventSeconds: 300,
      audio: true,
      privacyPaused: false,
    });
    expect(c.source).toMatchObject({ type: 'api', rtspTransport: 'tcp', loop: false, stallSeconds: 10 });
    expect(c.log).toEqual({ level: 'info' });
    expect(c.s3).toMatchObject({ forcePathStyle: false, allowInsecureHttp: false });
  });
});
