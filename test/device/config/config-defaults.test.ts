import { describe, expect, test } from 'vitest';
import { deviceConfigSchema } from '../../../device/config/device-config-schema.ts';
import { MINIMAL_DEVICE_CONFIG } from '../../support/minimal-device-config.ts';

describe('device.json defaults are written once', () => {
  // A section left out must get the same values as the section written as {}: the
  // section's own field defaults, not a second copy of them that can drift.
  test.each(['s3', 'upload', 'recording', 'source', 'log'] as const)("an omitted %s section gets its fields' defaults", (section) => {
    const omitted = deviceConfigSchema.parse(MINIMAL_DEVICE_CONFIG)[section];
    const empty = deviceConfigSchema.parse({ ...MINIMAL_DEVICE_CONFIG, [section]: {} })[section];
    expect(omitted).toEqual(empty);
    expect(Object.keys(omitted).length).toBeGreaterThan(0);
  });

  test('the defaults a camera maker reads in the schema are what the agent runs with', () => {
    const c = deviceConfigSchema.parse(MINIMAL_DEVICE_CONFIG);
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
