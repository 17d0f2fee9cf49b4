import type { DeviceConfig } from '../config/device-config-schema.ts';
import { newCounters } from '../core/agent-counters.ts';
import { ControlError } from '../core/agent-errors.ts';
import type { AgentStatus, UploadBlocker } from '../core/agent-status.ts';
import { createJsonLogger, type Logger } from '../core/json-logger.ts';
import { startControlServer } from '../control/control-server.ts';
import type { EventSpan, RecordingModeName } from '../recording/recording-policy.ts';
import { createSource } from '../sources/create-source.ts';
import { AgentMediaIntake } from './agent-media-intake.ts';
import { agentStatus } from './agent-status-report.ts';
import { composeAgent, type AgentDeps, type AgentParts } from './compose-agent.ts';
import { stopParts } from './stop-parts.ts';
import type { StartEventOptions } from './event-control.ts';
import { G711Input } from './g711-input.ts';
import { RunTimeSwitches, type UploadLimits } from './run-time-switches.ts';

export type { AgentDeps } from './compose-agent.ts';

const EVENT_TICK_MS = 1000;

/**
 * The camera agent, as camera firmware and `camrec agent` use it: source -> segmenter ->
 * AES-128 -> memory buffer / disk spool -> uploader -> S3, with IoT credentials, key
 * rotation, continuous or event recording, privacy pause and audio switch.
 *
 *   const agent = createAgent(config); await agent.start();
 *   agent.putVideoFrame(accessUnit, tsMs?); agent.putAudioFrame(adtsFrame, tsMs?);
 *   await agent.firstVideoFrame; // the first video, by any input method, reached the segmenter
 *   agent.startEvent('motion'); agent.stopEvent(); agent.setPrivacy(true); agent.setAudio(false);
 *   agent.status(); await agent.stop();
 *
 * This class is the library's face: it checks what callers pass and hands on to the parts
 * `composeAgent` builds (compose-agent.ts), which exist all together once `start` resolved.
 * Its media input methods (putVideoFrame, putImage, pushVideo, ...) are in
 * agent-media-intake.ts; this file holds its life cycle, events, switches and status.
 */
export class Agent extends AgentMediaIntake {
  readonly log: Logger;
  /** device.json as the agent started with it (fields that need a restart are read here). */
  private readonly config: DeviceConfig;
  /** Mode, privacy, audio, the link's cap and windows, ...: as they are now, and how they change. */
  private readonly switches: RunTimeSwitches;
  private readonly deps: AgentDeps;
  protected readonly now: () => number;
  protected readonly counters = newCounters();
  private state: AgentStatus['state'] = 'stopped';
  private lastError: AgentStatus['lastError'] = null;
  private uploadBlocked: UploadBlocker | null = null;
  private parts: AgentParts | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private readonly stopHooks: (() => Promise<void> | void)[] = [];
  protected readonly g711: G711Input;
  /** Where the control endpoint listens (`http://127.0.0.1:port` or `unix:path`), once started. */
  controlAddress: string | undefined;

  constructor(config: DeviceConfig, deps: AgentDeps = {}) {
    super();
    this.config = config;
    this.deps = deps;
    const skew = deps.clockSkewMs;
    this.now = deps.now ?? (skew ? () => Date.now() + skew : Date.now);
    this.log = deps.log ?? createJsonLogger({ level: config.log.level, fields: { deviceId: config.deviceId } });
    this.switches = new RunTimeSwitches(config, { log: this.log, now: this.now, heartbeats: config.heartbeatSeconds > 0, guard: (fn) => this.guard(fn) });
    this.g711 = new G711Input({
      log: this.log,
      onFrame: (f, t) => this.putAudioFrame(f, t),
      onError: (e) => this.noteSourceError(e),
      onRefused: (e) => this.noteError(e),
      onFirstStart: () => this.onStop(() => this.g711.close()),
      onStart: () => this.parts?.segmenter.expectAudio?.(),
    });
  }

  get deviceId(): string {
    return this.config.deviceId;
  }

  /** Opens state and spool (draining what an earlier run left), starts uploading, the control endpoint and the source. */
  async start(): Promise<void> {
    if (this.state !== 'stopped') throw new ControlError(`the agent is ${this.state}; start it only once`);
    this.state = 'starting';
    const c = this.config;
    const p = await composeAgent(c, this.deps, {
      counters: this.counters,
      log: this.log,
      now: this.now,
      live: () => this.switches.live,
      pausedSinceMs: () => this.switches.pausedSinceMs,
      running: () => this.state === 'running',
      noteError: (e) => this.noteError(e),
      onUploadProblem: (b) => (this.uploadBlocked = b),
    });
    this.parts = p;
    if (c.control) {
      const cs = await startControlServer(this, c.control, this.log);
      this.controlAddress = cs.address;
      this.onStop(() => cs.close());
    }
    this.tickTimer = setInterval(() => this.tick(p), EVENT_TICK_MS);
    this.tickTimer.unref();
    this.state = 'running';
    if (c.heartbeatSeconds > 0) void p.heartbeat.sendNow('start');
    const source = this.deps.startSource === false ? undefined : createSource(this, c);
    if (source) {
      source.start();
      this.onStop(() => source.stop());
    }
    this.log.info('agent started', {
      memoryBufferBytes: p.memory.capacityBytes,
      spoolDir: c.buffer.spoolDir,
      spoolMaxBytes: c.buffer.spoolMaxBytes,
      seq: p.seqState.nextSeq,
      discSeq: p.seqState.discSeq,
      mode: this.switches.live.mode,
    });
  }

  /** Runs `fn` when the agent stops (sources, control server). */
  onStop(fn: () => Promise<void> | void): void {
    this.stopHooks.push(fn);
  }

  /**
   * Finishes the open segment, closes an open event, gives uploads until the deadline,
   * then spools whatever is still waiting. Resolves within `timeoutMs`.
   */
  async stop(timeoutMs = 4000): Promise<void> {
    const p = this.parts;
    if (this.state !== 'running' || !p) return;
    this.state = 'stopping';
    const deadline = this.now() + timeoutMs;
    clearInterval(this.tickTimer);
    for (const hook of this.stopHooks.splice(0).reverse()) await Promise.resolve(hook()).catch((err) => this.log.warn('stop hook failed', { err }));
    await stopParts(p, { deadlineMs: deadline, now: this.now, uploading: !this.switches.live.privacyPaused, noteError: (e) => this.noteError(e) });
    this.state = 'stopped';
    this.log.info('agent stopped', { backlog: p.backlog.count, spoolEntries: p.spool.count });
  }

  // ---- events and run-time switches (library API and control endpoint) ----

  /** Starts an event (closing one already open); returns its id. Throws ControlError for bad input. */
  startEvent(type: string, opts: StartEventOptions = {}): string {
    const p = this.running();
    const eventId = p.events.start(type, opts);
    p.keyframePictures.eventStarted();
    return eventId;
  }

  /** Stops the open event (post-record continues); returns it, or undefined if none was open. */
  stopEvent(atMs?: number): EventSpan | undefined {
    return this.running().events.stop(atMs);
  }

  setMode(mode: RecordingModeName): void {
    this.switches.setMode(this.running(), mode);
  }

  /**
   * Changes the link settings at run time: the upload cap (null lifts it) and, when
   * given, the backlog windows. Throws ControlError for a bad value.
   */
  setUploadLimits(limits: UploadLimits): void {
    this.switches.setUploadLimits(this.running(), limits);
  }

  /** Privacy pause: the open segment is finished, then nothing is recorded or uploaded until resumed. */
  setPrivacy(paused: boolean): void {
    this.switches.setPrivacy(this.running(), paused);
  }

  setAudio(enabled: boolean): void {
    this.switches.setAudio(this.running(), enabled);
  }

  /**
   * SIGHUP: applies the run-time settings the file changed since it was last read (mode,
   * privacy, audio, pre/post-record, max event, upload cap and windows, key rotation), and
   * leaves the others as they are now, so a switch flipped on the control endpoint stays
   * (config-diff.ts). Logs and returns the fields that need a restart.
   */
  reload(next: DeviceConfig): string[] {
    return [...this.switches.reload(this.running(), next)];
  }

  status(): AgentStatus {
    return agentStatus({
      config: this.config,
      state: this.state,
      counters: this.counters,
      parts: this.parts,
      live: this.switches.live,
      lastError: this.lastError,
      uploadBlocked: this.uploadBlocked,
      nowMs: this.now(),
    });
  }

  // ---- internals ----

  protected running(): AgentParts {
    if (this.state !== 'running' || !this.parts) throw new ControlError(`the agent is ${this.state}; start() it first`);
    return this.parts;
  }

  protected runningParts(): AgentParts | undefined {
    return this.state === 'running' ? this.parts : undefined;
  }

  protected privacyPaused(): boolean {
    return this.switches.live.privacyPaused;
  }

  protected audioOn(): boolean {
    return this.switches.live.audio;
  }

  protected noteError(err: Error): void {
    this.lastError = { atMs: this.now(), message: err.message };
  }

  private tick(p: AgentParts): void {
    const now = this.now();
    p.spoolReread.tick(now);
    p.spoolForecast.sample(now, p.spool.bytes);
    p.heartbeat.tick();
    p.events.tick(now);
  }
}

/** Builds an agent (not started). */
export function createAgent(config: DeviceConfig, deps: AgentDeps = {}): Agent {
  return new Agent(config, deps);
}
