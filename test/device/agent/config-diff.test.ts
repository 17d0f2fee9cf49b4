import { describe, expect, it } from 'vitest';
import { diffConfig, runTimeSettings } from '../../../device/agent/config-diff.ts';
import { deviceConfigSchema, type DeviceConfig, type DeviceConfigInput } from '../../../device/config/device-config-schema.ts';
import { MINIMAL_DEVICE_CONFIG } from '../../support/minimal-device-config.ts';

const config = (over: (c: DeviceConfigInput) => DeviceConfigInput = (c) => c): DeviceConfig =>
  deviceConfigSchema.parse(over(structuredClone(MINIMAL_DEVICE_CONFIG)));

/** One file edit per run-time setting, and the value that setting then has. */
const SWITCHES = [
  { field: 'mode', edit: (c: DeviceConfigInput) => ({ ...c, recording: { mode: 'event' as const } }), value: 'event' },
  { field: 'privacyPaused', edit: (c: DeviceConfigInput) => ({ ...c, recording: { privacyPaused: true } }), value: true },
  { field: 'audio', edit: (c: DeviceConfigInput) => ({ ...c, recording: { audio: false } }), value: false },
  { field: 'preRecordMs', edit: (c: DeviceConfigInput) => ({ ...c, recording: { preRecordSeconds: 4 } }), value: 4000 },
  { field: 'postRecordMs', edit: (c: DeviceConfigInput) => ({ ...c, recording: { postRecordSeconds: 9 } }), value: 9000 },
  { field: 'maxEventMs', edit: (c: DeviceConfigInput) => ({ ...c, recording: { maxEventSeconds: 60 } }), value: 60_000 },
  { field: 'maxBytesPerSecond', edit: (c: DeviceConfigInput) => ({ ...c, upload: { maxBytesPerSecond: 125_000 } }), value: 125_000 },
  { field: 'backlogWindows', edit: (c: DeviceConfigInput) => ({ ...c, upload: { backlogWindows: ['01:00-05:00'] } }), value: ['01:00-05:00'] },
  { field: 'keyRotationMs', edit: (c: DeviceConfigInput) => ({ ...c, keyRotationSeconds: 600 }), value: 600_000 },
] as const;

describe('diffConfig: one rule for every run-time setting (apply what the file changed since it was last read)', () => {
  it('covers every run-time setting the agent has', () => {
    expect(SWITCHES.map((s) => s.field).sort()).toEqual(Object.keys(runTimeSettings(config())).sort());
  });

  it.each(SWITCHES)('$field: applied when the file changes it, and only it; no restart needed', ({ field, edit, value }) => {
    const d = diffConfig(config(), config(edit));
    expect(d.apply).toEqual({ [field]: value });
    expect(d.restartNeeded).toEqual([]);
  });

  it.each(SWITCHES)('$field: left alone by a reload whose file did not change it (a run-time switch stays)', ({ edit }) => {
    // The file was read with the change once already; reading it again changes nothing.
    expect(diffConfig(config(edit), config(edit)).apply).toEqual({});
    // Another field changes: this one is still not applied.
    const other = diffConfig(
      config(edit),
      config((c) => ({ ...edit(c), heartbeatSeconds: 30 })),
    );
    expect(other.apply).toEqual({});
    expect(other.restartNeeded).toEqual(['heartbeatSeconds']);
  });

  it('a field the file switches back is applied too (the file flips it like the endpoint does)', () => {
    const paused = config((c) => ({ ...c, recording: { privacyPaused: true, audio: false } }));
    expect(diffConfig(paused, config()).apply).toEqual({ privacyPaused: false, audio: true });
  });

  it('lifting the upload cap in the file applies null (no cap)', () => {
    const capped = config((c) => ({ ...c, upload: { maxBytesPerSecond: 125_000 } }));
    expect(diffConfig(capped, config()).apply).toEqual({ maxBytesPerSecond: null });
  });

  it('lists every other changed field as needing a restart, upload fields by their top-level name', () => {
    const d = diffConfig(
      config(),
      config((c) => ({ ...c, segmentSeconds: 2, bucket: 'other-bucket', upload: { concurrency: 4, maxBytesPerSecond: 200_000 } })),
    );
    expect([...d.restartNeeded].sort()).toEqual(['bucket', 'segmentSeconds', 'upload']);
    expect(d.apply).toEqual({ maxBytesPerSecond: 200_000 });
  });
});
