import { mkdir } from 'node:fs/promises';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { loadWrappingPublicKey } from '../../contract/index.ts';
import { Backlog } from '../buffer/backlog.ts';
import { DiskSpool } from '../buffer/disk-spool.ts';
import { MemoryBuffer } from '../buffer/memory-buffer.ts';
import { defaultMemoryBytes, type DeviceConfig } from '../config/device-config-schema.ts';
import { contentKeyPublicKey } from '../config/load-device-config.ts';
import type { AgentCounters } from '../core/agent-counters.ts';
import type { UploadBlocker } from '../core/agent-status.ts';
import type { Logger } from '../core/json-logger.ts';
import type { ObjectPutter } from '../core/object-putter.ts';
import type { IotCredentialProvider } from '../credentials/iot-credential-provider.ts';
import type { FetchIotCredentials } from '../credentials/iot-credentials-client.ts';
import { KeyRotator } from '../keys/key-rotator.ts';
import { SequenceState } from '../keys/sequence-state.ts';
import { BacklogWindows } from '../link/backlog-windows.ts';
import { ByteRateLimiter } from '../link/byte-rate-limiter.ts';
import { Heartbeat } from '../link/heartbeat.ts';
import { SpoolForecast } from '../link/spool-forecast.ts';
import { EventRecords } from '../recording/event-records.ts';
import { RecordingPolicy } from '../recording/recording-policy.ts';
import { InitSections } from '../upload/init-sections.ts';
import { Uploader } from '../upload/uploader.ts';
import type { RunTimeSettings } from './config-diff.ts';
import { EventControl } from './event-control.ts';
import { ImageCommitter } from './image-committer.ts';
import { KeyframePictures } from './keyframe-pictures.ts';
import { MAX_IMAGE_BYTES } from '../../contract/index.ts';
import { createS3Putter } from './s3-putter.ts';
import { SegmentCommitter, type PendingSegment } from './segment-committer.ts';
import { SegmentQueue } from './segment-queue.ts';
import { liveSegmenterFactory, type SegmenterFactory, type SegmenterPort } from './segmenter-port.ts';
import { SpoolReread } from './spool-reread.ts';

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

/** What the parts need from the agent that composes them. */
export interface AgentHooks {
  readonly counters: AgentCounters;
  readonly log: Logger;
  readonly now: () => number;
  /** The run-time settings as they are now (switches flip them). */
  readonly live: () => RunTimeSettings;
  /** While privacy pause is on: when it began (UTC ms). */
  readonly pausedSinceMs: () => number | undefined;
  /** The agent is running (not starting or stopping). */
  readonly running: () => boolean;
  readonly noteError: (err: Error) => void;
  readonly onUploadProblem: (p: UploadBlocker | null) => void;
}

/** A running agent's parts, every one of them there: built together by `composeAgent`, or not at all. */
export interface AgentParts {
  readonly memory: MemoryBuffer;
  readonly spool: DiskSpool;
  readonly spoolReread: SpoolReread;
  readonly spoolForecast: SpoolForecast;
  readonly backlog: Backlog;
  readonly seqState: SequenceState;
  readonly limiter: ByteRateLimiter;
  readonly windows: BacklogWindows;
  readonly putter: ObjectPutter;
  /** The IoT credential provider, when the agent fetches its own credentials (not with `deps.credentials` or `deps.putter`). */
  readonly credentials: IotCredentialProvider | undefined;
  /** Called at stop: closes the putter's sockets (nothing for a `deps.putter`). */
  readonly closePutter: () => void;
  readonly uploader: Uploader;
  readonly eventRecords: EventRecords;
  readonly heartbeat: Heartbeat;
  readonly keys: KeyRotator;
  readonly policy: RecordingPolicy<PendingSegment>;
  readonly queue: SegmentQueue;
  readonly segmenter: SegmenterPort;
  readonly committer: SegmentCommitter;
  readonly events: EventControl;
  readonly images: ImageCommitter;
  readonly keyframePictures: KeyframePictures;
}

/**
 * How much video may wait between the segmenter and the backlog (see SegmentQueue) before
 * new segments are dropped: 20 s at `expectedBitrateKbps` (12.5 MB at the default 5 Mbit/s),
 * the memory the pipeline may hold while the disk stalls.
 */
const SEGMENT_QUEUE_SECONDS = 20;

export function segmentQueueBytes(c: Pick<DeviceConfig, 'expectedBitrateKbps'>): number {
  return (SEGMENT_QUEUE_SECONDS * c.expectedBitrateKbps * 1000) / 8;
}

/**
 * The composition root: builds every part of a running agent from device.json, in the
 * order they depend on each other. Opens the state folder and the spool (whatever an
 * earlier run left is queued first), numbers from the spool's highest seq, starts the
 * upload workers (unless privacy pause is on), closes an event a crash left open, draws
 * the first data key. The source and the control endpoint are the agent's to start.
 */
export async function composeAgent(c: DeviceConfig, deps: AgentDeps, h: AgentHooks): Promise<AgentParts> {
  const { counters, log, now } = h;
  const live = h.live();
  await mkdir(c.stateDir, { recursive: true });
  const { spool, recovered, corrupt, unreadable } = await DiskSpool.open(c.buffer.spoolDir, c.buffer.spoolMaxBytes, log);
  counters.spoolCorrupt += corrupt;
  counters.spoolReadErrors += unreadable.length;
  if (recovered.length) log.info('spool recovered; draining', { entries: recovered.length, bytes: spool.bytes });
  const maxSpooledSeq = Math.max(-1, ...recovered.map((r) => r.item.seq ?? -1));
  const seqState = await SequenceState.open(c.stateDir, { nowMs: now(), minNextSeq: maxSpooledSeq + 1, log });
  const memory = new MemoryBuffer(c.buffer.memoryBytes ?? defaultMemoryBytes(c));
  const backlog = new Backlog(memory, spool, { writeThrough: c.buffer.writeThrough, counters, log });
  backlog.addRecovered(recovered);
  const spoolReread = new SpoolReread(spool, backlog, unreadable, log);

  const limiter = new ByteRateLimiter({ bytesPerSecond: live.maxBytesPerSecond ?? undefined, now });
  const windows = new BacklogWindows(live.backlogWindows);
  // S3 from device.json, unless the caller brings its own putter (it then owns it: not closed here).
  const s3 = deps.putter
    ? { putter: deps.putter, credentials: undefined, close: () => {} }
    : createS3Putter(c, { log, now, limiter, credentials: deps.credentials, fetchCredentials: deps.fetchCredentials, clockSkewMs: deps.clockSkewMs });
  const putter: ObjectPutter = s3.putter;
  const uploader = new Uploader(backlog, putter, {
    concurrency: c.upload.concurrency,
    retryBaseMs: c.upload.retryBaseSeconds * 1000,
    retryMaxMs: c.upload.retryMaxSeconds * 1000,
    counters,
    log,
    now,
    onError: h.noteError,
    onProblem: h.onUploadProblem,
    limiter,
    windows,
  });
  if (!live.privacyPaused) uploader.start();
  const eventRecords = new EventRecords({ deviceId: c.deviceId, stateDir: c.stateDir, upload: (item, body) => backlog.add(item, body), now, log });
  await eventRecords.recover();

  const policy = new RecordingPolicy<PendingSegment>({
    mode: live.mode,
    preRecordMs: live.preRecordMs,
    postRecordMs: live.postRecordMs,
    maxEventMs: live.maxEventMs,
  });
  const heartbeat = new Heartbeat({
    deviceId: c.deviceId,
    intervalMs: c.heartbeatSeconds * 1000,
    putter,
    status: () => ({
      mode: policy.mode,
      privacyPaused: h.live().privacyPaused,
      backlogSegments: backlog.segmentCount,
      ...(policy.openEvent ? { openEventId: policy.openEvent.eventId } : {}),
    }),
    uploadedCount: () => counters.objectsUploaded,
    now,
    log,
    onFailure: (err) => {
      counters.uploadFailures++;
      h.noteError(err);
    },
  });
  const keys = new KeyRotator({
    deviceId: c.deviceId,
    publicKey: loadWrappingPublicKey(contentKeyPublicKey(c)),
    rotationMs: live.keyRotationMs,
    now,
    publish: async (item, wrapped) => {
      await backlog.add(item, wrapped);
      log.info('new data key', { keyId: item.keyId });
    },
  });
  await keys.current();
  const inits = new InitSections(c.deviceId, (item, bytes) => backlog.add(item, bytes), now);

  const queue = new SegmentQueue({
    maxBytes: segmentQueueBytes(c),
    onError: (err) => {
      h.noteError(err);
      log.error('segment pipeline error', { err });
    },
  });
  // The segmenter hands each finished segment to the committer, which needs the segmenter back (to recycle its memory).
  let committer: SegmentCommitter | undefined;
  const segmenter = (deps.segmenterFactory ?? liveSegmenterFactory)({
    targetSegmentSeconds: c.segmentSeconds,
    ...(c.container ? { container: c.container } : {}),
    audio: live.audio,
    videoTiming: { kind: 'arrival' },
    onSegment: (seg) => committer?.accept(seg),
    onInputError: (err) => {
      counters.inputErrors++;
      log.warn('corrupt input skipped; resyncing at the next IDR', { err });
    },
    onStreamWarning: (message) => log.warn('camera stream', { message }),
  });
  committer = new SegmentCommitter({
    deviceId: c.deviceId,
    queue,
    segmenter,
    keys,
    inits,
    policy,
    memory,
    seqState,
    backlog,
    counters,
    log,
    now,
    pausedSinceMs: h.pausedSinceMs,
  });
  const images = new ImageCommitter({
    deviceId: c.deviceId,
    keys,
    backlog,
    counters,
    log,
    now,
    maxBytes: MAX_IMAGE_BYTES,
    openEventId: () => policy.openEvent?.eventId,
  });
  const keyframePictures = new KeyframePictures({
    intervalMs: c.imageIntervalSeconds * 1000,
    images,
    log,
    onError: h.noteError,
    now: { recording: () => policy.mode === 'continuous' || policy.openEvent !== undefined, paused: () => h.live().privacyPaused },
  });
  const events = new EventControl({ policy, queue, committer, eventRecords, log, now, maxEventMs: () => h.live().maxEventMs, running: h.running });

  return {
    memory,
    spool,
    spoolReread,
    spoolForecast: new SpoolForecast(),
    backlog,
    seqState,
    limiter,
    windows,
    putter,
    credentials: s3.credentials,
    closePutter: s3.close,
    uploader,
    eventRecords,
    heartbeat,
    keys,
    policy,
    queue,
    segmenter,
    committer,
    events,
    images,
    keyframePictures,
  };
}
