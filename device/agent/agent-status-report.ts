import type { DeviceConfig } from '../config/device-config-schema.ts';
import type { AgentCounters } from '../core/agent-counters.ts';
import type { AgentStatus, UploadBlocker } from '../core/agent-status.ts';
import type { AgentParts } from './compose-agent.ts';
import type { RunTimeSettings } from './config-diff.ts';

export interface StatusInput {
  readonly config: DeviceConfig;
  readonly state: AgentStatus['state'];
  readonly counters: AgentCounters;
  /** Undefined before the agent started (or while it starts): the answer then has zeros and the configured values. */
  readonly parts: AgentParts | undefined;
  readonly live: RunTimeSettings;
  readonly lastError: AgentStatus['lastError'];
  readonly uploadBlocked: UploadBlocker | null;
  readonly nowMs: number;
}

/** The status answer (library `status()`, `GET /v1/status`, the CLI's status lines), read from the parts as they are now. */
export function agentStatus(s: StatusInput): AgentStatus {
  const { parts: p, config: c, live } = s;
  const open = p?.policy.openEvent;
  const seg = p?.segmenter.stats();
  return {
    ...s.counters,
    deviceId: c.deviceId,
    state: s.state,
    backlog: { objects: p?.backlog.count ?? 0, segments: p?.backlog.segmentCount ?? 0, bytes: p?.backlog.bytes ?? 0 },
    memoryBuffer: { capacityBytes: p?.memory.capacityBytes ?? 0, usedBytes: p?.memory.usedBytes ?? 0, peakUsedBytes: p?.memory.peakUsedBytes ?? 0 },
    spool: {
      bytes: p?.spool.bytes ?? 0,
      maxBytes: c.buffer.spoolMaxBytes,
      entries: p?.spool.count ?? 0,
      failed: p?.backlog.spoolFailure ?? null,
      unreadable: p?.spoolReread.unreadable ?? 0,
      fullInSeconds: p?.spoolForecast.fullInSeconds(c.buffer.spoolMaxBytes) ?? null,
    },
    uploadBlocked: s.uploadBlocked,
    upload: {
      maxBytesPerSecond: live.maxBytesPerSecond,
      bytesPerSecond: p?.limiter.measuredBytesPerSecond() ?? 0,
      backlogWindows: live.backlogWindows,
      backlogWindowOpen: p?.windows.isOpen(s.nowMs) ?? true,
      backlogSegments: p?.backlog.backlogSegmentCount ?? 0,
    },
    heartbeats: { sent: p?.heartbeat.sent ?? 0, failed: p?.heartbeat.failed ?? 0 },
    recording: {
      mode: p?.policy.mode ?? live.mode,
      privacyPaused: live.privacyPaused,
      audio: live.audio,
      event: open ? { eventId: open.eventId, type: open.type, startMs: open.startMs } : null,
    },
    pipeline: { segmentsWaiting: p?.queue.segmentsIn ?? 0, bytesWaiting: p?.queue.bytesIn ?? 0, maxBytes: p?.queue.maxBytes ?? 0 },
    seq: { next: p?.seqState.nextSeq ?? 0, discSeq: p?.seqState.discSeq ?? 0 },
    credentialsExpireAt: p?.credentials?.expiresAt?.toISOString() ?? null,
    lastError: s.lastError,
    segmenter: { frames: seg?.frames ?? 0, inputErrors: seg?.inputErrors ?? 0, droppedFrames: seg?.droppedFrames ?? 0 },
    process: processMemory(),
  };
}

function processMemory(): AgentStatus['process'] {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers };
}
