import type { AgentCounters } from './agent-counters.ts';

/** The agent's status answer (library `status()`, control `GET /v1/status`, logs). */
export interface AgentStatus extends AgentCounters {
  deviceId: string;
  state: 'starting' | 'running' | 'stopping' | 'stopped';
  /** Objects waiting for S3 (segments, keys, events), in memory and spool. */
  backlog: { objects: number; segments: number; bytes: number };
  memoryBuffer: { capacityBytes: number; usedBytes: number; peakUsedBytes: number };
  spool: { bytes: number; maxBytes: number; entries: number };
  recording: {
    mode: 'continuous' | 'event';
    privacyPaused: boolean;
    audio: boolean;
    event: { eventId: string; type: string; startMs: number } | null;
  };
  seq: { next: number; discSeq: number };
  /** When the current AWS credentials expire (ISO), if the agent holds any. */
  credentialsExpireAt: string | null;
  lastError: { atMs: number; message: string } | null;
  segmenter: { frames: number; inputErrors: number; droppedFrames: number };
  /** This process's memory (bytes), from process.memoryUsage(). */
  process: { rssBytes: number; heapUsedBytes: number; externalBytes: number; arrayBuffersBytes: number };
}
