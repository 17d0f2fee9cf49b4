import type { DeviceConfig } from '../config/device-config-schema.ts';
import type { RecordingModeName } from '../recording/recording-policy.ts';

/**
 * Every setting a running agent changes without a restart. The control endpoint and the
 * library switch some of them (mode, privacy, audio, the upload cap and windows); a SIGHUP
 * reload can change all of them.
 */
export interface RunTimeSettings {
  readonly mode: RecordingModeName;
  readonly privacyPaused: boolean;
  readonly audio: boolean;
  readonly preRecordMs: number;
  readonly postRecordMs: number;
  readonly maxEventMs: number;
  /** The upload cap in bytes per second; null: none. */
  readonly maxBytesPerSecond: number | null;
  readonly backlogWindows: readonly string[];
  readonly keyRotationMs: number;
}

/** How each run-time setting is read from device.json: one line per setting, the only place that knows. */
const READ: { readonly [K in keyof RunTimeSettings]: (c: DeviceConfig) => RunTimeSettings[K] } = {
  mode: (c) => c.recording.mode,
  privacyPaused: (c) => c.recording.privacyPaused,
  audio: (c) => c.recording.audio,
  preRecordMs: (c) => c.recording.preRecordSeconds * 1000,
  postRecordMs: (c) => c.recording.postRecordSeconds * 1000,
  maxEventMs: (c) => c.recording.maxEventSeconds * 1000,
  maxBytesPerSecond: (c) => c.upload.maxBytesPerSecond ?? null,
  backlogWindows: (c) => c.upload.backlogWindows,
  keyRotationMs: (c) => c.keyRotationSeconds * 1000,
};

/** The run-time settings device.json asks for (what the agent starts with). */
export function runTimeSettings(c: DeviceConfig): RunTimeSettings {
  const out: Partial<Record<keyof RunTimeSettings, unknown>> = {};
  for (const k of Object.keys(READ) as (keyof RunTimeSettings)[]) out[k] = READ[k](c);
  return out as RunTimeSettings;
}

export interface ConfigDiff {
  /** The run-time settings the file changed since it was last read, with their new values. */
  readonly apply: Partial<RunTimeSettings>;
  /** Top-level fields of device.json that changed and take effect only after a restart. */
  readonly restartNeeded: readonly string[];
}

/**
 * What a reload (SIGHUP) changes, from the file as it was last read (`loaded`) to the file
 * now (`next`). Pure.
 *
 * One rule for every run-time setting: a reload applies a setting when the FILE changed it
 * since it was last read, and leaves it alone otherwise. The file is one way to flip a
 * switch, the control endpoint and the library are the others, and the latest flip wins:
 * audio switched off on the endpoint stays off through a SIGHUP that does not touch
 * `recording.audio`, and a file that now says `privacyPaused: true` pauses the camera
 * whatever the endpoint said before. Comparing with the running value instead would undo
 * every run-time switch at each reload.
 *
 * Any other field that changed is listed in `restartNeeded` (it is read once, at start).
 */
export function diffConfig(loaded: DeviceConfig, next: DeviceConfig): ConfigDiff {
  const apply: Partial<Record<keyof RunTimeSettings, unknown>> = {};
  for (const k of Object.keys(READ) as (keyof RunTimeSettings)[]) {
    const value = READ[k](next);
    if (!sameJson(value, READ[k](loaded))) apply[k] = value;
  }
  const before = withoutRunTimeFields(loaded);
  const after = withoutRunTimeFields(next);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const restartNeeded = [...keys].filter((k) => !sameJson(before[k], after[k]));
  return { apply: apply as Partial<RunTimeSettings>, restartNeeded };
}

/** device.json with the fields READ covers taken out (what is left needs a restart). */
function withoutRunTimeFields(c: DeviceConfig): Record<string, unknown> {
  const { recording, keyRotationSeconds: _rotation, upload, ...rest } = c;
  const { mode: _m, privacyPaused: _p, audio: _a, preRecordSeconds: _pre, postRecordSeconds: _post, maxEventSeconds: _max, ...recordingRest } = recording;
  const { maxBytesPerSecond: _cap, backlogWindows: _windows, ...uploadRest } = upload;
  return { ...rest, recording: recordingRest, upload: uploadRest };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
