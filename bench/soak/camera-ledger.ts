/**
 * What one camera's agent said it did, read from its JSON log lines (stderr of
 * `camrec agent`, level debug). Pure: fed line by line, so it is tested without agents.
 */
export const AgentLogMsg = {
  RECORDED: 'segment recorded',
  DROPPED_AT_CAP: 'spool full: dropped the oldest segment',
  DROPPED_NO_ROOM: 'segment dropped: no room in memory or spool',
  OBJECT_DROPPED: 'object dropped',
  UPLOADED: 'uploaded',
  UPLOAD_FAILED: 'upload failed; will retry',
  EXISTED_412: 'object already existed before our first attempt (412); keeping the stored one',
  HALF_WRITTEN: 'deleting a half-written spool file left by a crash',
  SPOOL_RECOVERED: 'spool recovered; draining',
  STARTED: 'agent started',
  CONTROL: 'control endpoint',
  NEW_KEY: 'new data key',
  EVENT_RECORDED: 'event recorded',
} as const;

export interface CameraLedger {
  readonly id: string;
  /** seq -> object key, every segment the agent logged as recorded. */
  readonly recorded: Map<number, string>;
  /** seq -> object key, dropped because the spool was at its cap. */
  readonly droppedAtCap: Map<number, string>;
  /** Object keys dropped for any other reason (no room anywhere, rejected by S3). */
  readonly droppedOther: Set<string>;
  /** Object keys whose PUT S3 confirmed, with the result the agent logged. */
  readonly uploaded: Map<string, string>;
  uploadFailures: number;
  /** Failed attempts by error name/code, e.g. {"ECONNREFUSED": 40, "ExpiredToken": 3}. */
  readonly failureKinds: Map<string, number>;
  existed412: number;
  /** Half-written spool files a restart found and deleted (proof a kill hit a spool write). */
  halfWrittenDeleted: number;
  spoolRecoveries: number;
  starts: number;
  newKeys: number;
  events: number;
  /** Lines that were not JSON (stack traces, tsx noise). */
  otherLines: number;
  /** error-level messages, first few kept. */
  readonly errors: string[];
}

export const newLedger = (id: string): CameraLedger => ({
  id,
  recorded: new Map(),
  droppedAtCap: new Map(),
  droppedOther: new Set(),
  uploaded: new Map(),
  uploadFailures: 0,
  failureKinds: new Map(),
  existed412: 0,
  halfWrittenDeleted: 0,
  spoolRecoveries: 0,
  starts: 0,
  newKeys: 0,
  events: 0,
  otherLines: 0,
  errors: [],
});

interface LogRecord {
  level?: string;
  msg?: string;
  objectKey?: string;
  seq?: number;
  result?: string;
  reason?: string;
  address?: string;
  err?: { name?: string; code?: string; message?: string; cause?: { code?: string; name?: string } };
}

/** Applies one log line; returns the control address when the line announces it. */
export function applyLogLine(ledger: CameraLedger, line: string): { controlAddress?: string } {
  if (!line.startsWith('{')) {
    if (line.trim()) ledger.otherLines++;
    return {};
  }
  let r: LogRecord;
  try {
    r = JSON.parse(line) as LogRecord;
  } catch {
    ledger.otherLines++;
    return {};
  }
  if (r.level === 'error' && ledger.errors.length < 20) ledger.errors.push(`${r.msg}${r.err?.message ? `: ${r.err.message}` : ''}`);
  switch (r.msg) {
    case AgentLogMsg.RECORDED:
      if (typeof r.seq === 'number' && r.objectKey) ledger.recorded.set(r.seq, r.objectKey);
      break;
    case AgentLogMsg.DROPPED_AT_CAP:
      if (typeof r.seq === 'number' && r.objectKey) ledger.droppedAtCap.set(r.seq, r.objectKey);
      break;
    case AgentLogMsg.DROPPED_NO_ROOM:
    case AgentLogMsg.OBJECT_DROPPED:
      if (r.objectKey) ledger.droppedOther.add(r.objectKey);
      break;
    case AgentLogMsg.UPLOADED:
      if (r.objectKey) ledger.uploaded.set(r.objectKey, r.result ?? 'ok');
      break;
    case AgentLogMsg.UPLOAD_FAILED: {
      ledger.uploadFailures++;
      const kind = r.err?.code ?? r.err?.cause?.code ?? r.err?.name ?? 'unknown';
      ledger.failureKinds.set(kind, (ledger.failureKinds.get(kind) ?? 0) + 1);
      break;
    }
    case AgentLogMsg.EXISTED_412:
      ledger.existed412++;
      break;
    case AgentLogMsg.HALF_WRITTEN:
      ledger.halfWrittenDeleted++;
      break;
    case AgentLogMsg.SPOOL_RECOVERED:
      ledger.spoolRecoveries++;
      break;
    case AgentLogMsg.STARTED:
      ledger.starts++;
      break;
    case AgentLogMsg.NEW_KEY:
      ledger.newKeys++;
      break;
    case AgentLogMsg.EVENT_RECORDED:
      ledger.events++;
      break;
    case AgentLogMsg.CONTROL:
      if (r.address) return { controlAddress: r.address };
      break;
  }
  return {};
}
