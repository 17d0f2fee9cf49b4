import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { assertEventId, assertEventType, loadWrappingPublicKey, SEGMENT_CONTENT_TYPE, segmentKey, toS3Metadata } from '../../contract/index.ts';
import { Backlog } from '../buffer/backlog.ts';
import { DiskSpool } from '../buffer/disk-spool.ts';
import { MemoryBuffer, type MemorySlot } from '../buffer/memory-buffer.ts';
import { defaultMemoryBytes, insecureS3Endpoint, RecordingMode, type DeviceConfig } from '../config/device-config-schema.ts';
import { contentKeyPublicKey } from '../config/load-device-config.ts';
import { IotCredentialProvider } from '../credentials/iot-credential-provider.ts';
import { createIotCredentialsFetcher, type FetchIotCredentials } from '../credentials/iot-credentials-client.ts';
import { KeyRotator } from '../keys/key-rotator.ts';
import { SequenceState } from '../keys/sequence-state.ts';
import { encryptSegment, encryptSegmentInPlace } from '../media/encrypt/encrypt-segment.ts';
import { segmentBuffer } from '../media/live-segmenter.ts';
import { startControlServer } from '../control/control-server.ts';
import { createSource } from '../sources/create-source.ts';
import { G711Transcoder, type G711Format } from '../sources/g711-transcoder.ts';
import { BacklogWindows } from '../link/backlog-windows.ts';
import { ByteRateLimiter } from '../link/byte-rate-limiter.ts';
import { Heartbeat } from '../link/heartbeat.ts';
import { SpoolForecast } from '../link/spool-forecast.ts';
import { EventRecords } from '../recording/event-records.ts';
import { RecordingPolicy, type EventSpan, type RecordingModeName } from '../recording/recording-policy.ts';
import type { ObjectPutter } from '../core/object-putter.ts';
import { SigV4ObjectPutter } from '../upload/sigv4-object-putter.ts';
import { ItemKind } from '../core/upload-item.ts';
import { Uploader } from '../upload/uploader.ts';
import { newCounters } from '../core/agent-counters.ts';
import { ControlError } from '../core/agent-errors.ts';
import type { AgentStatus, UploadBlocker } from '../core/agent-status.ts';
import { createJsonLogger, type Logger } from '../core/json-logger.ts';
import { liveSegmenterFactory, type MediaSegment, type SegmenterFactory, type SegmenterPort } from './segmenter-port.ts';

/** Seams for tests and for `camrec local` (several agents in one process). */
export interface AgentDeps {
  log?: Logger;
  /** Wall clock (ms). @default Date.now */
  now?: () => number;
  /** AWS credentials instead of the IoT credential provider (e.g. a LAN store with static keys). */
  credentials?: AwsCredentialIdentityProvider;
  /** Replaces the IoT fetch (the provider's cache/refresh logic still applies). */
  fetchCredentials?: FetchIotCredentials;
  /** Replaces S3 entirely. */
  putter?: ObjectPutter;
  segmenterFactory?: SegmenterFactory;
  /** Simulates a device clock this many ms ahead of true time (tests): shifts `now` and the S3 signer's clock. */
  clockSkewMs?: number;
  /** Start the source device.json names. @default true */
  startSource?: boolean;
}

/** A finished, encrypted segment waiting for the recording policy. */
interface PendingSegment {
  readonly startMs: number;
  readonly durationMs: number;
  readonly media: Omit<MediaSegment, 'bytes'>;
  readonly plainBytes: number;
  readonly keyId: string;
  readonly ivHex: string;
  encrypted: Uint8Array | undefined;
  /** Gives `encrypted`'s memory back to the segmenter (it was encrypted in place) once copied; at most once. */
  recycle?: () => void;
  slot: MemorySlot | undefined;
}

/** Two segments further apart than this (ms) are a gap: the second starts a discontinuity. */
const GAP_TOLERANCE_MS = 1500;
const EVENT_TICK_MS = 1000;
/** How often spool entries that failed to read at start are tried again. */
const SPOOL_REREAD_MS = 60_000;

/**
 * The camera agent: source -> segmenter -> AES-128 -> memory buffer / disk spool ->
 * uploader -> S3, with IoT credentials, key rotation, continuous or event recording,
 * privacy pause and audio switch. Library API for camera firmware:
 *
 *   const agent = createAgent(config); await agent.start();
 *   agent.putVideoFrame(accessUnit, tsMs?); agent.putAudioFrame(adtsFrame, tsMs?);
 *   agent.startEvent('motion'); agent.stopEvent(); agent.setPrivacy(true); agent.setAudio(false);
 *   agent.status(); await agent.stop();
 */
export class Agent {
  readonly log: Logger;
  private config: DeviceConfig;
  private readonly deps: AgentDeps;
  private readonly now: () => number;
  private readonly counters = newCounters();
  private state: AgentStatus['state'] = 'stopped';
  private lastError: AgentStatus['lastError'] = null;
  private uploadBlocked: UploadBlocker | null = null;
  /** Spool files that could not be read at start (I/O errors): read again from time to time. */
  private unreadableSpool: string[] = [];
  private lastSpoolRetryMs = 0;

  private memory!: MemoryBuffer;
  private spool!: DiskSpool;
  private backlog!: Backlog;
  private seqState!: SequenceState;
  private uploader!: Uploader;
  private putter!: ObjectPutter;
  private credentials: IotCredentialProvider | undefined;
  private keys!: KeyRotator;
  private policy!: RecordingPolicy<PendingSegment>;
  private eventRecords!: EventRecords;
  private heartbeat: Heartbeat | undefined;
  private readonly limiter: ByteRateLimiter;
  private readonly windows: BacklogWindows;
  private readonly spoolForecast = new SpoolForecast();
  private segmenter!: SegmenterPort;
  private chain: Promise<void> = Promise.resolve();
  private committedAny = false;
  private lastCommittedEndMs: number | undefined;
  private privacyPaused: boolean;
  private pausedAtMs = 0;
  private audio: boolean;
  private tickTimer: NodeJS.Timeout | undefined;
  private eventTimer: NodeJS.Timeout | undefined;
  private readonly stopHooks: (() => Promise<void> | void)[] = [];
  private g711: { transcoder: G711Transcoder; key: string } | undefined;
  /** Set once G.711 was refused (no ffmpeg): later calls are ignored, not thrown again. */
  private g711Refused = false;
  /** Where the control endpoint listens (`http://127.0.0.1:port` or `unix:path`), once started. */
  controlAddress: string | undefined;

  constructor(config: DeviceConfig, deps: AgentDeps = {}) {
    this.config = config;
    this.deps = deps;
    this.now = deps.now ?? (deps.clockSkewMs ? () => Date.now() + deps.clockSkewMs! : Date.now);
    this.log = deps.log ?? createJsonLogger({ level: config.log.level, fields: { deviceId: config.deviceId } });
    this.privacyPaused = config.recording.privacyPaused;
    this.audio = config.recording.audio;
    this.limiter = new ByteRateLimiter({ bytesPerSecond: config.upload.maxBytesPerSecond, now: this.now });
    this.windows = new BacklogWindows(config.upload.backlogWindows);
  }

  get deviceId(): string {
    return this.config.deviceId;
  }

  /** Opens state and spool (draining what an earlier run left), starts uploading. */
  async start(): Promise<void> {
    if (this.state !== 'stopped') throw new ControlError(`the agent is ${this.state}; start it only once`);
    this.state = 'starting';
    const c = this.config;
    await mkdir(c.stateDir, { recursive: true });
    const { spool, recovered, corrupt, unreadable } = await DiskSpool.open(c.buffer.spoolDir, c.buffer.spoolMaxBytes, this.log);
    this.spool = spool;
    this.counters.spoolCorrupt += corrupt;
    this.unreadableSpool = unreadable;
    this.counters.spoolReadErrors += unreadable.length;
    if (recovered.length) this.log.info('spool recovered; draining', { entries: recovered.length, bytes: spool.bytes });
    const maxSpooledSeq = Math.max(-1, ...recovered.map((r) => r.item.seq ?? -1));
    this.seqState = await SequenceState.open(c.stateDir, { nowMs: this.now(), minNextSeq: maxSpooledSeq + 1, log: this.log });
    this.memory = new MemoryBuffer(c.buffer.memoryBytes ?? defaultMemoryBytes(c));
    this.backlog = new Backlog(this.memory, this.spool, { writeThrough: c.buffer.writeThrough, counters: this.counters, log: this.log });
    this.backlog.addRecovered(recovered);

    if (c.s3.endpoint && insecureS3Endpoint(c.s3.endpoint)) {
      this.log.warn('S3 endpoint is plain http:// to a non-loopback host (s3.allowInsecureHttp): request signatures, metadata and wrapped keys travel unencrypted; use https://', { endpoint: c.s3.endpoint });
    }
    this.putter = this.deps.putter ?? this.createS3Putter();
    this.uploader = new Uploader(this.backlog, this.putter, {
      concurrency: c.upload.concurrency,
      retryBaseMs: c.upload.retryBaseSeconds * 1000,
      retryMaxMs: c.upload.retryMaxSeconds * 1000,
      counters: this.counters,
      log: this.log,
      now: this.now,
      onError: (e) => this.noteError(e),
      onProblem: (p) => (this.uploadBlocked = p),
      limiter: this.limiter,
      windows: this.windows,
    });
    if (!this.privacyPaused) this.uploader.start();
    this.eventRecords = new EventRecords({ deviceId: c.deviceId, stateDir: c.stateDir, upload: (item, body) => this.backlog.add(item, body), now: this.now, log: this.log });
    await this.eventRecords.recover();
    this.heartbeat = new Heartbeat({
      deviceId: c.deviceId,
      intervalMs: c.heartbeatSeconds * 1000,
      putter: this.putter,
      status: () => ({ mode: this.policy?.mode ?? c.recording.mode, privacyPaused: this.privacyPaused, backlogSegments: this.backlog.segmentCount, ...(this.policy?.openEvent ? { openEventId: this.policy.openEvent.eventId } : {}) }),
      uploadedCount: () => this.counters.objectsUploaded,
      now: this.now,
      log: this.log,
      onFailure: (err) => {
        this.counters.uploadFailures++;
        this.noteError(err);
      },
    });

    this.keys = new KeyRotator({
      deviceId: c.deviceId,
      publicKey: loadWrappingPublicKey(contentKeyPublicKey(c)),
      rotationMs: c.keyRotationSeconds * 1000,
      now: this.now,
      publish: async (item, wrapped) => {
        await this.backlog.add(item, wrapped);
        this.log.info('new data key', { keyId: item.keyId });
      },
    });
    await this.keys.current();

    this.policy = new RecordingPolicy<PendingSegment>({
      mode: c.recording.mode,
      preRecordMs: c.recording.preRecordSeconds * 1000,
      postRecordMs: c.recording.postRecordSeconds * 1000,
      maxEventMs: c.recording.maxEventSeconds * 1000,
    });
    this.segmenter = (this.deps.segmenterFactory ?? liveSegmenterFactory)({
      targetSegmentSeconds: c.segmentSeconds,
      audio: this.audio,
      videoTiming: { kind: 'arrival' },
      onSegment: (seg) => this.enqueue(() => this.handleSegment(seg)),
      onInputError: (err) => {
        this.counters.inputErrors++;
        this.log.warn('corrupt input skipped; resyncing at the next IDR', { err });
      },
      onStreamWarning: (message) => this.log.warn('camera stream', { message }),
    });
    if (c.control) {
      const cs = await startControlServer(this, c.control, this.log);
      this.controlAddress = cs.address;
      this.onStop(() => cs.close());
    }
    this.tickTimer = setInterval(() => this.tick(), EVENT_TICK_MS);
    this.tickTimer.unref();
    this.state = 'running';
    if (c.heartbeatSeconds > 0) void this.heartbeat.sendNow('start');
    const source = this.deps.startSource === false ? undefined : createSource(this, c);
    if (source) {
      source.start();
      this.onStop(() => source.stop());
    }
    this.log.info('agent started', {
      memoryBufferBytes: this.memory.capacityBytes, spoolDir: c.buffer.spoolDir, spoolMaxBytes: c.buffer.spoolMaxBytes,
      seq: this.seqState.nextSeq, discSeq: this.seqState.discSeq, mode: c.recording.mode,
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
    if (this.state !== 'running') return;
    this.state = 'stopping';
    const deadline = this.now() + timeoutMs;
    clearInterval(this.tickTimer);
    clearTimeout(this.eventTimer);
    for (const hook of this.stopHooks.splice(0).reverse()) await Promise.resolve(hook()).catch((err) => this.log.warn('stop hook failed', { err }));
    if (!this.privacyPaused) {
      try {
        this.segmenter.end();
      } catch (err) {
        this.noteError(err as Error);
      }
    }
    this.heartbeat?.stop();
    const ended = this.policy.stopEvent(this.now(), 'shutdown');
    if (ended) this.enqueue(() => this.publishEvent(ended));
    this.enqueue(async () => this.releaseSlots(this.policy.releaseAll()));
    await withDeadline(this.chain, deadline - this.now() - 500);
    if (!this.privacyPaused) await this.uploader.drained(Math.max(0, deadline - this.now() - 1000));
    await this.uploader.stop(0);
    await withDeadline(this.backlog.spillAll(), Math.max(100, deadline - this.now()));
    this.keys.forget();
    if (this.putter instanceof SigV4ObjectPutter) this.putter.destroy();
    this.state = 'stopped';
    this.log.info('agent stopped', { backlog: this.backlog.count, spoolEntries: this.spool.count });
  }

  // ---- media input (library API) ----

  /**
   * One H.264 access unit in Annex B. `ptsMs`: its capture (presentation) time, UTC ms
   * (default now). With `dtsMs` too (its decode time, from the encoder), the stream may
   * carry B-frames: both are kept, in the encoder's order. Fractions of a ms are fine.
   */
  putVideoFrame(accessUnit: Uint8Array, ptsMs?: number, dtsMs?: number): void {
    if (this.accepting()) this.guard(() => this.segmenter.putVideoFrame(accessUnit, ptsMs ?? this.now(), dtsMs));
  }

  /** One ADTS AAC frame, with its capture (presentation) time (UTC ms, default now). */
  putAudioFrame(adtsFrame: Uint8Array, ptsMs?: number): void {
    if (this.accepting() && this.audio) this.guard(() => this.segmenter.putAudioFrame(adtsFrame, ptsMs ?? this.now()));
  }

  /**
   * G.711 audio (A-law or mu-law, one byte per sample, any chunking) captured at `ptsMs`
   * (UTC ms, default now): transcoded to AAC by an ffmpeg child and recorded with the
   * video. Without ffmpeg the first call throws a ControlError saying so (later calls are
   * ignored): video goes on either way.
   */
  putG711Audio(samples: Uint8Array, format: G711Format, ptsMs?: number): void {
    if (!this.accepting() || !this.audio || this.g711Refused) return;
    const key = `${format.law}/${format.sampleRateHz ?? 8000}/${format.channels ?? 1}`;
    if (this.g711?.key !== key) {
      const old = this.g711?.transcoder;
      if (old) void old.close();
      let transcoder: G711Transcoder;
      try {
        transcoder = new G711Transcoder({ ...format, onFrame: (f, t) => this.putAudioFrame(f, t), onError: (e) => this.noteSourceError(e) });
      } catch (cause) {
        this.g711Refused = true;
        this.noteError(cause as Error);
        this.log.error('G.711 audio refused; recording video only', { err: cause });
        throw new ControlError((cause as Error).message, { cause });
      }
      if (!this.g711) this.onStop(() => this.g711?.transcoder.close());
      this.g711 = { transcoder, key };
      this.segmenter.expectAudio?.();
    }
    this.g711.transcoder.write(samples, ptsMs ?? this.now());
  }

  /** Raw Annex-B bytes from a pipe, any chunking. Do not reuse the chunk's memory. */
  pushVideo(chunk: Uint8Array, arrivalMs?: number): void {
    if (this.accepting()) this.guard(() => this.segmenter.pushVideo(chunk, arrivalMs ?? this.now()));
  }

  /** Raw ADTS bytes from a pipe, any chunking. */
  pushAudio(chunk: Uint8Array, arrivalMs?: number): void {
    if (this.accepting() && this.audio) this.guard(() => this.segmenter.pushAudio(chunk, arrivalMs ?? this.now()));
  }

  /** Cuts the open segment now (e.g. the source stalled or closed). */
  cutSegment(): void {
    if (this.state === 'running' && !this.privacyPaused) this.guard(() => this.segmenter.closeSegment());
  }

  // ---- run-time switches (library API and control endpoint) ----

  /** Starts an event (closing one already open); returns its id. */
  startEvent(type: string, opts: { eventId?: string; atMs?: number; durationSeconds?: number } = {}): string {
    this.assertRunning();
    try {
      assertEventType(type);
      if (opts.eventId !== undefined) assertEventId(opts.eventId);
    } catch (cause) {
      throw new ControlError((cause as Error).message, { cause });
    }
    const eventId = opts.eventId ?? newEventId(this.now());
    const atMs = Math.round(opts.atMs ?? this.now());
    if (opts.durationSeconds !== undefined && !(opts.durationSeconds > 0 && opts.durationSeconds <= 86_400)) {
      throw new ControlError(`durationSeconds must be between 0 and 86400, got ${opts.durationSeconds}`);
    }
    const d = this.policy.startEvent(type, eventId, atMs);
    const maxDurationMs = Math.min(this.config.recording.maxEventSeconds * 1000, opts.durationSeconds !== undefined ? Math.max(opts.durationSeconds * 1000, 1000) + 1000 : Number.POSITIVE_INFINITY);
    clearTimeout(this.eventTimer);
    if (opts.durationSeconds !== undefined) {
      this.eventTimer = setTimeout(() => {
        if (this.state === 'running' && this.policy.openEvent?.eventId === eventId) this.stopEvent();
      }, opts.durationSeconds * 1000);
      this.eventTimer.unref();
    }
    this.enqueue(async () => {
      if (d.ended) await this.publishEvent(d.ended);
      // The start record goes ahead of the pre-record segments: "event started" reaches the cloud within seconds.
      await this.eventRecords.started({ eventId, type, startMs: atMs, maxDurationMs });
      this.releaseSlots(d.release);
      for (const s of d.commit) await this.commit(s);
    });
    this.log.info('event started', { eventId, type, startMs: atMs });
    return eventId;
  }

  /** Stops the open event (post-record continues); returns it, or undefined if none was open. */
  stopEvent(atMs?: number): EventSpan | undefined {
    this.assertRunning();
    const ended = this.policy.stopEvent(Math.round(atMs ?? this.now()));
    if (ended) this.enqueue(() => this.publishEvent(ended));
    return ended;
  }

  setMode(mode: RecordingModeName): void {
    this.assertRunning();
    if (mode !== RecordingMode.CONTINUOUS && mode !== RecordingMode.EVENT) throw new ControlError(`mode must be continuous or event, got ${JSON.stringify(mode)}`);
    const d = this.policy.update({ mode });
    this.enqueue(async () => this.releaseSlots(d.release));
    this.log.info('recording mode', { mode });
    if (this.config.heartbeatSeconds > 0) void this.heartbeat?.sendNow('mode');
  }

  /**
   * Changes the link settings at run time: the upload cap (null lifts it) and, when
   * given, the backlog windows. Throws ControlError for a bad value.
   */
  setUploadLimits(limits: { maxBytesPerSecond: number | null; backlogWindows?: readonly string[] }): void {
    this.assertRunning();
    const rate = limits.maxBytesPerSecond;
    if (rate !== null && !(Number.isSafeInteger(rate) && rate >= 8000)) throw new ControlError(`maxBytesPerSecond must be a whole number of at least 8000 (64 kbit/s), or null for no cap; got ${rate}`);
    const before = this.windows;
    try {
      if (limits.backlogWindows) before.set(limits.backlogWindows);
    } catch (cause) {
      throw new ControlError((cause as Error).message, { cause });
    }
    this.limiter.setRate(rate ?? undefined);
    this.config = { ...this.config, upload: { ...this.config.upload, maxBytesPerSecond: rate ?? undefined, backlogWindows: [...(limits.backlogWindows ?? this.config.upload.backlogWindows)] } };
    this.uploader.nudge();
    this.log.info('upload limits', { maxBytesPerSecond: rate, backlogWindows: this.config.upload.backlogWindows });
  }

  /** Privacy pause: the open segment is finished, then nothing is recorded or uploaded until resumed. */
  setPrivacy(paused: boolean): void {
    this.assertRunning();
    if (paused === this.privacyPaused) return;
    if (paused) {
      this.pausedAtMs = this.now();
      this.guard(() => this.segmenter.closeSegment());
      this.privacyPaused = true;
      this.enqueue(async () => {
        this.releaseSlots(this.policy.releaseAll());
        await this.uploader.stop(0);
      });
    } else {
      this.privacyPaused = false;
      this.enqueue(async () => this.uploader.start());
    }
    this.log.info(paused ? 'privacy pause: not recording or uploading' : 'privacy pause ended', { paused });
    // The cloud learns at once (the camera's tile shows "privacy"); a heartbeat carries no video.
    if (this.config.heartbeatSeconds > 0) void this.heartbeat?.sendNow(paused ? 'privacy' : 'privacy-ended');
  }

  setAudio(enabled: boolean): void {
    this.assertRunning();
    this.audio = enabled;
    this.segmenter.setAudioEnabled(enabled);
    this.log.info('audio', { enabled });
  }

  /**
   * SIGHUP: applies what can change at run time (recording mode, pre/post-record, max
   * event, audio, privacy, key rotation period); logs the fields that need a restart.
   */
  reload(next: DeviceConfig): string[] {
    const restartNeeded = (Object.keys(next) as (keyof DeviceConfig)[]).filter(
      (k) => !['recording', 'keyRotationSeconds', 'upload'].includes(k) && JSON.stringify(next[k]) !== JSON.stringify(this.config[k]),
    );
    const { maxBytesPerSecond, backlogWindows, ...otherUpload } = next.upload;
    const { maxBytesPerSecond: _r, backlogWindows: _w, ...currentUpload } = this.config.upload;
    if (JSON.stringify(otherUpload) !== JSON.stringify(currentUpload)) restartNeeded.push('upload');
    this.setUploadLimits({ maxBytesPerSecond: maxBytesPerSecond ?? null, backlogWindows });
    const r = next.recording;
    const d = this.policy.update({ mode: r.mode, preRecordMs: r.preRecordSeconds * 1000, postRecordMs: r.postRecordSeconds * 1000, maxEventMs: r.maxEventSeconds * 1000 });
    this.enqueue(async () => this.releaseSlots(d.release));
    if (r.audio !== this.audio) this.setAudio(r.audio);
    if (r.privacyPaused !== this.config.recording.privacyPaused) this.setPrivacy(r.privacyPaused);
    this.keys.setRotationMs(next.keyRotationSeconds * 1000);
    this.config = { ...this.config, recording: r, keyRotationSeconds: next.keyRotationSeconds };
    if (restartNeeded.length) this.log.warn('config reloaded; these fields take effect after a restart', { fields: restartNeeded });
    else this.log.info('config reloaded');
    return restartNeeded;
  }

  status(): AgentStatus {
    const open = this.policy?.openEvent;
    const seg = this.segmenter?.stats();
    return {
      ...this.counters,
      deviceId: this.config.deviceId,
      state: this.state,
      backlog: { objects: this.backlog?.count ?? 0, segments: this.backlog?.segmentCount ?? 0, bytes: this.backlog?.bytes ?? 0 },
      memoryBuffer: { capacityBytes: this.memory?.capacityBytes ?? 0, usedBytes: this.memory?.usedBytes ?? 0, peakUsedBytes: this.memory?.peakUsedBytes ?? 0 },
      spool: {
        bytes: this.spool?.bytes ?? 0,
        maxBytes: this.config.buffer.spoolMaxBytes,
        entries: this.spool?.count ?? 0,
        failed: this.backlog?.spoolFailure ?? null,
        unreadable: this.unreadableSpool.length,
        fullInSeconds: this.spoolForecast.fullInSeconds(this.config.buffer.spoolMaxBytes),
      },
      uploadBlocked: this.uploadBlocked,
      upload: {
        maxBytesPerSecond: this.limiter.bytesPerSecond ?? null,
        bytesPerSecond: this.limiter.measuredBytesPerSecond(),
        backlogWindows: this.config.upload.backlogWindows,
        backlogWindowOpen: this.windows.isOpen(this.now()),
        backlogSegments: this.backlog?.backlogSegmentCount ?? 0,
      },
      heartbeats: { sent: this.heartbeat?.sent ?? 0, failed: this.heartbeat?.failed ?? 0 },
      recording: {
        mode: this.policy?.mode ?? this.config.recording.mode,
        privacyPaused: this.privacyPaused,
        audio: this.audio,
        event: open ? { eventId: open.eventId, type: open.type, startMs: open.startMs } : null,
      },
      seq: { next: this.seqState?.nextSeq ?? 0, discSeq: this.seqState?.discSeq ?? 0 },
      credentialsExpireAt: this.credentials?.expiresAt?.toISOString() ?? null,
      lastError: this.lastError,
      segmenter: { frames: seg?.frames ?? 0, inputErrors: seg?.inputErrors ?? 0, droppedFrames: seg?.droppedFrames ?? 0 },
      process: processMemory(),
    };
  }

  /** Counts a source problem (stall, close, open failure) and records it as the last error. */
  noteSourceError(err: Error): void {
    this.counters.sourceErrors++;
    this.noteError(err);
    this.log.warn('source problem', { err });
  }

  /** A source's one-time notice (audio transcoded, video only, a file ended): logged, not counted. */
  noteSourceNotice(message: string): void {
    this.log.warn('source', { message });
  }

  // ---- internals ----

  private createS3Putter(): ObjectPutter {
    const c = this.config;
    let creds = this.deps.credentials;
    if (!creds) {
      const fetch =
        this.deps.fetchCredentials ??
        createIotCredentialsFetcher({
          endpoint: c.credentials.endpoint,
          roleAlias: c.credentials.roleAlias,
          thingName: c.deviceId,
          certificatePem: readFileSync(c.credentials.certificateFile),
          privateKeyPem: readFileSync(c.credentials.privateKeyFile),
          caPem: readFileSync(c.credentials.caFile),
          timeoutMs: c.credentials.timeoutSeconds * 1000,
        });
      this.credentials = new IotCredentialProvider({ fetch, refreshAheadMs: c.credentials.refreshAheadSeconds * 1000, now: this.now, log: this.log });
      creds = this.credentials.provide;
    }
    const provider = this.credentials;
    return new SigV4ObjectPutter({
      bucket: c.bucket,
      region: c.region,
      endpoint: c.s3.endpoint,
      forcePathStyle: c.s3.forcePathStyle,
      extraCaPem: c.s3.caFile ? readFileSync(c.s3.caFile, 'utf8') : undefined,
      credentials: creds,
      requestTimeoutMs: c.upload.requestTimeoutSeconds * 1000,
      onCredentialsRejected: () => provider?.invalidate(),
      systemClockOffsetMs: this.deps.clockSkewMs,
      maxSockets: c.upload.concurrency,
      limiter: this.limiter,
    });
  }

  private accepting(): boolean {
    return this.state === 'running' && !this.privacyPaused;
  }

  private assertRunning(): void {
    if (this.state !== 'running') throw new ControlError(`the agent is ${this.state}; start() it first`);
  }

  /** Input errors from the segmenter never stop the agent. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.counters.inputErrors++;
      this.noteError(err as Error);
      this.log.error('media input refused', { err });
    }
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((err) => {
      this.noteError(err as Error);
      this.log.error('segment pipeline error', { err });
    });
  }

  private noteError(err: Error): void {
    this.lastError = { atMs: this.now(), message: err.message };
  }

  private tick(): void {
    if (this.unreadableSpool.length && this.now() - this.lastSpoolRetryMs >= SPOOL_REREAD_MS) {
      this.lastSpoolRetryMs = this.now();
      void this.rereadSpool();
    }
    this.spoolForecast.sample(this.now(), this.spool.bytes);
    this.heartbeat?.tick();
    const ended = this.policy.tick(this.now());
    if (ended) {
      this.log.info('event closed at maxEventSeconds', { eventId: ended.eventId });
      this.enqueue(() => this.publishEvent(ended));
    }
  }

  /** Reads again the spool entries that failed to read at start; adopts those that read now. */
  private async rereadSpool(): Promise<void> {
    const files = this.unreadableSpool.splice(0);
    for (const file of files) {
      const outcome = await this.spool.adopt(file);
      if (outcome === 'unreadable') this.unreadableSpool.push(file);
      else if (outcome !== 'corrupt') {
        this.backlog.addRecovered([outcome]);
        this.log.info('spool entry readable again; queued', { file });
      }
    }
  }

  private async handleSegment(seg: MediaSegment): Promise<void> {
    if (this.privacyPaused && seg.startMs >= this.pausedAtMs) return;
    const key = await this.keys.current();
    const iv = randomBytes(16);
    // Encrypted in place in the segment's own buffer (no second segment-sized copy); once the
    // ciphertext is copied into the memory buffer or the spool, the buffer goes back to the segmenter.
    const room = this.segmenter.recycle ? segmentBuffer(seg.bytes) : undefined;
    const encrypted = room ? encryptSegmentInPlace(room, seg.bytes.byteLength, key.key, iv) : encryptSegment(seg.bytes, key.key, iv);
    const p: PendingSegment = {
      startMs: Math.round(seg.startMs),
      durationMs: Math.max(1, Math.round(seg.durationMs)),
      media: { ...seg, bytes: undefined } as unknown as Omit<MediaSegment, 'bytes'>,
      plainBytes: seg.bytes.length,
      keyId: key.keyId,
      ivHex: iv.toString('hex'),
      encrypted,
      slot: undefined,
    };
    if (room) p.recycle = () => this.segmenter.recycle?.(seg.bytes);
    const d = this.policy.offer(p);
    this.releaseSlots(d.release);
    if (!d.commit.includes(p)) this.hold(p);
    for (const s of d.commit) await this.commit(s);
  }

  /** Keeps a pre-record segment in the memory buffer (dropping the oldest held one if full). */
  private hold(p: PendingSegment): void {
    for (;;) {
      const slot = this.memory.put(p.encrypted!);
      if (slot) {
        p.slot = slot;
        this.dropEncrypted(p);
        return;
      }
      const oldest = this.policy.dropOldestHeld();
      if (!oldest || oldest === p) {
        this.dropEncrypted(p);
        return;
      }
      this.releaseSlots([oldest]);
    }
  }

  private releaseSlots(xs: PendingSegment[]): void {
    for (const x of xs) {
      if (x.slot) this.memory.release(x.slot);
      x.slot = undefined;
      this.dropEncrypted(x);
    }
  }

  /** Forgets a segment's ciphertext and gives its memory back to the segmenter (copied or dropped by now). */
  private dropEncrypted(p: PendingSegment): void {
    p.encrypted = undefined;
    const recycle = p.recycle;
    p.recycle = undefined;
    recycle?.();
  }

  private async commit(p: PendingSegment): Promise<void> {
    const body = p.slot ?? p.encrypted;
    if (!body) return; // a held segment that lost its place in the buffer
    const seq = await this.seqState.takeSeq();
    const gap = this.lastCommittedEndMs !== undefined && Math.abs(p.startMs - this.lastCommittedEndMs) > GAP_TOLERANCE_MS;
    const discSeq = this.committedAny && (p.media.discontinuity || gap) ? await this.seqState.bumpDisc() : this.seqState.discSeq;
    this.committedAny = true;
    this.lastCommittedEndMs = p.startMs + p.durationMs;
    let metadata: Record<string, string>;
    let objectKey: string;
    try {
      objectKey = segmentKey({ deviceId: this.config.deviceId, startMs: p.startMs, seq });
      metadata = toS3Metadata({
        startMs: p.startMs, durationMs: p.durationMs, seq, discSeq, keyId: p.keyId, iv: p.ivHex,
        codecs: p.media.codecs, width: p.media.width, height: p.media.height,
      });
    } catch (err) {
      this.counters.segmentsDropped++;
      this.releaseSlots([p]);
      throw err;
    }
    p.slot = undefined;
    p.encrypted = undefined;
    await this.backlog.add(
      { kind: ItemKind.SEGMENT, objectKey, contentType: SEGMENT_CONTENT_TYPE, metadata, seq, keyId: p.keyId, startMs: p.startMs, createdMs: this.now() },
      body,
    );
    // The backlog copied the ciphertext into the memory buffer or wrote it to the spool.
    if (body instanceof Uint8Array) this.dropEncrypted(p);
    this.counters.segmentsRecorded++;
    this.counters.bytesRecorded += p.plainBytes;
    this.log.debug('segment recorded', { objectKey, seq, discSeq, durationMs: p.durationMs, bytes: p.plainBytes });
  }

  private async publishEvent(ev: EventSpan): Promise<void> {
    await this.eventRecords.ended(ev);
    this.log.info('event recorded', { ...ev });
  }
}

/** Builds an agent (not started). */
export function createAgent(config: DeviceConfig, deps: AgentDeps = {}): Agent {
  return new Agent(config, deps);
}

function processMemory(): AgentStatus['process'] {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers };
}

function newEventId(nowMs: number): string {
  return `${nowMs.toString(36)}-${randomBytes(4).toString('hex')}`;
}

async function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => {}), new Promise<void>((r) => (t = setTimeout(r, Math.max(0, ms))))]);
  clearTimeout(t);
}
