import type { AgentCounters } from './agent-counters.ts';
import type { UploadProblem } from './agent-errors.ts';

/** Why uploads are not landing, for the status: the kind (see UploadProblem, or 'spool-read'), the S3 code, the message. */
export interface UploadBlocker {
  readonly kind: UploadProblem | 'spool-read';
  readonly code: string | undefined;
  readonly message: string;
  readonly sinceMs: number;
}

/** The agent's status answer (library `status()`, control `GET /v1/status`, logs). */
export interface AgentStatus extends AgentCounters {
  deviceId: string;
  state: 'starting' | 'running' | 'stopping' | 'stopped';
  /** Objects waiting for S3 (segments, keys, events), in memory and spool. */
  backlog: { objects: number; segments: number; bytes: number };
  memoryBuffer: { capacityBytes: number; usedBytes: number; peakUsedBytes: number };
  /**
   * `failed`: the last write the disk refused (ENOSPC, EROFS, a dead card), until one
   * succeeds again; objects meanwhile wait in memory. `unreadable`: entries kept on disk
   * that could not be read at start (read again every minute). `fullInSeconds`: at the rate
   * the spool grew over the last minute, when it reaches maxBytes (then the oldest segments
   * are dropped); null while it is not growing.
   */
  spool: {
    bytes: number;
    maxBytes: number;
    entries: number;
    failed: { atMs: number; message: string } | null;
    unreadable: number;
    fullInSeconds: number | null;
  };
  /** Why objects are not landing (a wrong bucket, region or permission, a refusal, a spool that will not read), or null. Every object waits. */
  uploadBlocked: UploadBlocker | null;
  /** The link: the cap (null: none), the rate sent over the last 10 s, the backlog windows and whether one is open, segments held back. */
  upload: { maxBytesPerSecond: number | null; bytesPerSecond: number; backlogWindows: readonly string[]; backlogWindowOpen: boolean; backlogSegments: number };
  heartbeats: { sent: number; failed: number };
  recording: {
    mode: 'continuous' | 'event';
    privacyPaused: boolean;
    audio: boolean;
    event: { eventId: string; type: string; startMs: number } | null;
  };
  /**
   * Finished segments on their way to the backlog (encrypt, policy, number, spool), their
   * bytes, and the most bytes that may wait (20 s at `expectedBitrateKbps`): a segment that
   * would go past it is dropped, counted in `segmentsDropped` and logged, because committing
   * is behind (a stalling disk, or firmware feeding video faster than real time).
   */
  pipeline: { segmentsWaiting: number; bytesWaiting: number; maxBytes: number };
  seq: { next: number; discSeq: number };
  /** When the current AWS credentials expire (ISO), if the agent holds any. */
  credentialsExpireAt: string | null;
  lastError: { atMs: number; message: string } | null;
  segmenter: { frames: number; inputErrors: number; droppedFrames: number };
  /** This process's memory (bytes), from process.memoryUsage(). */
  process: { rssBytes: number; heapUsedBytes: number; externalBytes: number; arrayBuffersBytes: number };
}
