import { HEARTBEAT_CONTENT_TYPE, heartbeatKey, HEARTBEAT_RECORD_VERSION, serializeHeartbeatRecord, type HeartbeatRecord } from '../../contract/index.ts';
import type { Logger } from '../core/json-logger.ts';
import type { ObjectPutter } from '../core/object-putter.ts';
import { ItemKind } from '../core/upload-item.ts';

export interface HeartbeatOptions {
  deviceId: string;
  /** Send one when nothing was uploaded for this long; 0: never (except `sendNow`). */
  intervalMs: number;
  putter: ObjectPutter;
  /** The device's status to report. */
  status: () => Pick<HeartbeatRecord, 'mode' | 'privacyPaused' | 'openEventId' | 'backlogSegments'>;
  /** How many objects S3 has confirmed so far (the agent's counter): any confirmation counts as a sign of life. */
  uploadedCount: () => number;
  now: () => number;
  log: Logger;
  /** A failed heartbeat is tried again after this long. @default 5000 */
  retryMs?: number;
  /** Timeout of one heartbeat PUT. @default 10000 */
  timeoutMs?: number;
  /** A heartbeat PUT failed (the agent counts it with the other failed PUTs). */
  onFailure?: (err: Error) => void;
}

/**
 * Heartbeats: a small JSON object at heartbeats/{deviceId}/{atMs}.json, sent while the
 * agent has uploaded nothing else for `intervalMs` (every object S3 confirms tells the
 * cloud the camera is alive, so a recording camera sends none), and at once when the
 * caller says the status changed (privacy, mode). Not spooled: a heartbeat that cannot
 * be sent is worthless later; the next one is tried `retryMs` on. Sent straight through
 * the putter (so through the link's byte cap), also during privacy pause, when nothing
 * else is uploaded.
 */
export class Heartbeat {
  private lastSignalMs: number;
  private lastCount = -1;
  private nextTryMs = 0;
  private sending: Promise<void> | undefined;
  private readonly abort = new AbortController();
  sent = 0;
  failed = 0;

  constructor(private readonly o: HeartbeatOptions) {
    this.lastSignalMs = Number.NEGATIVE_INFINITY;
  }

  /** Called about once a second; sends when due. */
  tick(): void {
    const now = this.o.now();
    const count = this.o.uploadedCount();
    if (count !== this.lastCount) {
      if (this.lastCount >= 0) this.lastSignalMs = now;
      this.lastCount = count;
    }
    if (this.o.intervalMs <= 0 || this.sending || now < this.nextTryMs) return;
    if (now - this.lastSignalMs >= this.o.intervalMs) void this.send('idle');
  }

  /** Sends one now (start, privacy or mode changed); resolves when it landed or failed. */
  sendNow(reason: string): Promise<void> {
    return this.send(reason);
  }

  stop(): void {
    this.abort.abort();
  }

  private send(reason: string): Promise<void> {
    if (this.sending) return this.sending.then(() => this.send(reason));
    const atMs = Math.round(this.o.now());
    const record: HeartbeatRecord = { version: HEARTBEAT_RECORD_VERSION, deviceId: this.o.deviceId, atMs, ...this.o.status() };
    const body = Buffer.from(serializeHeartbeatRecord(record));
    const item = {
      kind: ItemKind.HEARTBEAT,
      objectKey: heartbeatKey({ deviceId: this.o.deviceId, atMs }),
      contentType: HEARTBEAT_CONTENT_TYPE,
      metadata: {},
      createdMs: atMs,
    };
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('heartbeat timed out')), this.o.timeoutMs ?? 10_000);
    const onStop = () => timeout.abort(new Error('agent stopping'));
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    this.sending = this.o.putter
      .put(item, body, timeout.signal)
      .then(
        () => {
          this.sent++;
          this.lastSignalMs = this.o.now();
          this.o.log.debug('heartbeat sent', { reason, objectKey: item.objectKey });
        },
        (err: unknown) => {
          this.failed++;
          this.o.onFailure?.(err as Error);
          this.nextTryMs = this.o.now() + (this.o.retryMs ?? 5000);
          this.o.log.debug('heartbeat failed; trying again shortly', { reason, err });
        },
      )
      .finally(() => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', onStop);
        this.sending = undefined;
      });
    return this.sending;
  }
}
