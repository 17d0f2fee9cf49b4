import { RecordingMode, type DeviceConfig } from '../config/device-config-schema.ts';
import { ControlError } from '../core/agent-errors.ts';
import type { Logger } from '../core/json-logger.ts';
import { parseDailyWindow } from '../link/backlog-windows.ts';
import type { RecordingModeName } from '../recording/recording-policy.ts';
import type { AgentParts } from './compose-agent.ts';
import { diffConfig, runTimeSettings, type RunTimeSettings } from './config-diff.ts';

export interface RunTimeSwitchesOptions {
  readonly log: Logger;
  readonly now: () => number;
  /** Heartbeats are on: privacy and mode changes are told to the cloud at once. */
  readonly heartbeats: boolean;
  /** Runs a segmenter call, counting and logging what it throws (input errors never stop the agent). */
  readonly guard: (fn: () => void) => void;
}

/** The upload cap and windows as the library and `PUT /v1/upload` take them. */
export interface UploadLimits {
  maxBytesPerSecond: number | null;
  backlogWindows?: readonly string[];
}

/**
 * The run-time settings (mode, privacy, audio, pre/post-record, max event, upload cap and
 * windows, key rotation) as they are now, and the one way they change: the library, the
 * control endpoint and a SIGHUP reload all end in `apply`, which hands the change to the
 * parts that carry it out. A reload applies what the file changed since it was last read
 * (config-diff.ts), so a switch flipped at run time stays until someone flips it again.
 */
export class RunTimeSwitches {
  private loaded: DeviceConfig;
  private settings: RunTimeSettings;
  private pausedAt: number | undefined;

  constructor(
    config: DeviceConfig,
    private readonly o: RunTimeSwitchesOptions,
  ) {
    this.loaded = config;
    this.settings = runTimeSettings(config);
    this.pausedAt = this.settings.privacyPaused ? 0 : undefined;
  }

  /** Every run-time setting as it is now, whoever switched it last. */
  get live(): RunTimeSettings {
    return this.settings;
  }

  /** While privacy pause is on: when it began (UTC ms; 0 when the agent started paused). */
  get pausedSinceMs(): number | undefined {
    return this.pausedAt;
  }

  setMode(p: AgentParts, mode: RecordingModeName): void {
    if (mode !== RecordingMode.CONTINUOUS && mode !== RecordingMode.EVENT)
      throw new ControlError(`mode must be continuous or event, got ${JSON.stringify(mode)}`);
    this.apply(p, { mode });
  }

  /** The upload cap (null lifts it) and, when given, the backlog windows. ControlError for a bad value. */
  setUploadLimits(p: AgentParts, limits: UploadLimits): void {
    const rate = limits.maxBytesPerSecond;
    if (rate !== null && !(Number.isSafeInteger(rate) && rate >= 8000))
      throw new ControlError(`maxBytesPerSecond must be a whole number of at least 8000 (64 kbit/s), or null for no cap; got ${rate}`);
    try {
      for (const w of limits.backlogWindows ?? []) parseDailyWindow(w);
    } catch (cause) {
      throw new ControlError((cause as Error).message, { cause });
    }
    this.apply(p, { maxBytesPerSecond: rate, ...(limits.backlogWindows ? { backlogWindows: [...limits.backlogWindows] } : {}) });
  }

  setPrivacy(p: AgentParts, paused: boolean): void {
    this.apply(p, { privacyPaused: paused });
  }

  setAudio(p: AgentParts, enabled: boolean): void {
    this.apply(p, { audio: enabled });
  }

  /** SIGHUP: applies what the file changed since it was last read; returns the fields that need a restart. */
  reload(p: AgentParts, next: DeviceConfig): readonly string[] {
    const { apply, restartNeeded } = diffConfig(this.loaded, next);
    this.loaded = next;
    this.apply(p, apply);
    if (restartNeeded.length) this.o.log.warn('config reloaded; these fields take effect after a restart', { fields: restartNeeded });
    else this.o.log.info('config reloaded', { applied: Object.keys(apply) });
    return restartNeeded;
  }

  /**
   * Every change ends here. `changes` holds only what was asked for; values are valid by
   * now. A privacy pause finishes the open segment at once; held segments are let go and
   * the uploader stopped (or started) through the segment queue, after what is already in it.
   */
  private apply(p: AgentParts, changes: Partial<RunTimeSettings>): void {
    const { log } = this.o;
    const before = this.settings;
    const after = (this.settings = { ...before, ...changes });
    const policyChanges = pick(changes, ['mode', 'preRecordMs', 'postRecordMs', 'maxEventMs']);
    if (Object.keys(policyChanges).length) {
      const d = p.policy.update(policyChanges);
      p.queue.run(async () => p.committer.release(d.release));
    }
    if (changes.mode !== undefined) {
      log.info('recording mode', { mode: changes.mode });
      if (this.o.heartbeats) void p.heartbeat.sendNow('mode');
    }
    if (changes.audio !== undefined) {
      p.segmenter.setAudioEnabled(changes.audio);
      log.info('audio', { enabled: changes.audio });
    }
    if (changes.keyRotationMs !== undefined) p.keys.setRotationMs(changes.keyRotationMs);
    if (changes.maxBytesPerSecond !== undefined || changes.backlogWindows !== undefined) {
      p.limiter.setRate(after.maxBytesPerSecond ?? undefined);
      p.windows.set(after.backlogWindows);
      p.uploader.nudge();
      log.info('upload limits', { maxBytesPerSecond: after.maxBytesPerSecond, backlogWindows: after.backlogWindows });
    }
    if (changes.privacyPaused !== undefined && changes.privacyPaused !== before.privacyPaused) this.switchPrivacy(p, changes.privacyPaused);
  }

  private switchPrivacy(p: AgentParts, paused: boolean): void {
    if (paused) {
      this.pausedAt = this.o.now();
      this.o.guard(() => p.segmenter.closeSegment());
    } else {
      this.pausedAt = undefined;
    }
    p.queue.run(async () => {
      if (paused) {
        p.committer.release(p.policy.releaseAll());
        await p.uploader.stop(0);
      } else {
        p.uploader.start();
      }
    });
    this.o.log.info(paused ? 'privacy pause: not recording or uploading' : 'privacy pause ended', { paused });
    // The cloud learns at once (the camera's tile shows "privacy"); a heartbeat carries no video.
    if (this.o.heartbeats) void p.heartbeat.sendNow(paused ? 'privacy' : 'privacy-ended');
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
