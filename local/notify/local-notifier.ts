import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { NOTIFICATION_SOURCE, type Notification, type NotificationEnvelope } from '../../contract/index.ts';
import type { NotificationPublisher } from '../../lambda/notify/notification-publisher.ts';

/** The account id local mode puts in envelopes (no AWS account). */
export const LOCAL_ACCOUNT = '000000000000';

export interface LocalNotifierOptions {
  region: string;
  /** One line per notification for people (stderr). */
  log: (line: string) => void;
  /** POST every notification here (http or https), in order, with retries. */
  webhookUrl?: string;
  /** Where notifications the webhook never took are appended (one JSON line each), like the cloud's dead-letter queue. */
  deadLetterFile?: string;
  /** Attempts per notification before it becomes a dead letter. @default 8 */
  webhookAttempts?: number;
  /** First retry delay; doubles per attempt, at most 30 s. @default 500 */
  webhookRetryBaseMs?: number;
  /** Notifications kept for the player. @default 200 */
  keep?: number;
}

export interface KeptNotification {
  /** Increases by one per notification (for `?after=`). */
  seq: number;
  envelope: NotificationEnvelope;
}

export interface LocalNotifier extends NotificationPublisher {
  /** Kept notifications with seq > `after`, oldest first. */
  since(after: number): KeptNotification[];
  readonly webhook: { delivered: number; failedAttempts: number; deadLetters: number; pending: number };
  /** Waits until the webhook queue is empty (or `timeoutMs`). */
  drained(timeoutMs: number): Promise<boolean>;
  stop(): void;
}

/** The EventBridge envelope a rule, API destination or webhook gets. */
export function toEnvelope(n: Notification, region: string, account = LOCAL_ACCOUNT): NotificationEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': n.type,
    source: NOTIFICATION_SOURCE,
    account,
    time: new Date(n.timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [],
    detail: n.detail,
  };
}

/** One readable line: "Camera Event Started cam-1 motion (e-123) at 10:31:02". */
export function describeNotification(n: Notification): string {
  const d = n.detail as Record<string, unknown>;
  const bits = [n.type, String(d.deviceId)];
  if (typeof d.type === 'string') bits.push(`${d.type} (${String(d.eventId)})`);
  if (typeof d.endReason === 'string') bits.push(`${Math.round(Number(d.durationMs) / 1000)} s, ${d.endReason}${d.inferred ? ', closed by the cloud' : ''}`);
  if (typeof d.lastHeard === 'string') bits.push(`last heard ${d.lastHeard}`);
  if (typeof d.outageMs === 'number') bits.push(`after ${Math.round(d.outageMs / 1000)} s offline`);
  return `${bits.join(' ')} at ${new Date(n.timeMs).toISOString()}`;
}

/**
 * Local mode's notifications, the same ones the cloud puts on its bus: a log line each,
 * the last `keep` for the player (GET /local/notifications), and, with a webhook, a POST
 * of the EventBridge event JSON, in order, retried with a doubling delay, then appended
 * to the dead-letter file, as the cloud's API destination does.
 */
export function createLocalNotifier(o: LocalNotifierOptions): LocalNotifier {
  const kept: KeptNotification[] = [];
  let seq = 0;
  const queue: NotificationEnvelope[] = [];
  const stats = { delivered: 0, failedAttempts: 0, deadLetters: 0, pending: 0 };
  let stopped = false;
  let pump: Promise<void> | undefined;
  const attempts = o.webhookAttempts ?? 8;
  const base = o.webhookRetryBaseMs ?? 500;
  let timer: NodeJS.Timeout | undefined;
  const wait = (ms: number) => new Promise<void>((r) => (timer = setTimeout(r, ms)));

  async function post(envelope: NotificationEnvelope): Promise<void> {
    const res = await fetch(o.webhookUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'camrec-local' },
      body: JSON.stringify(envelope),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}`);
  }

  async function deliverAll(): Promise<void> {
    while (queue.length && !stopped) {
      const envelope = queue[0]!;
      let ok = false;
      let lastError = '';
      for (let attempt = 0; attempt < attempts && !stopped; attempt++) {
        try {
          await post(envelope);
          ok = true;
          break;
        } catch (e) {
          stats.failedAttempts++;
          lastError = (e as Error).message;
          if (attempt + 1 < attempts) await wait(Math.min(30_000, base * 2 ** attempt));
        }
      }
      queue.shift();
      stats.pending = queue.length;
      if (ok) stats.delivered++;
      else if (!stopped) {
        stats.deadLetters++;
        o.log(
          `webhook: gave up on ${envelope['detail-type']} for ${String((envelope.detail as { deviceId: string }).deviceId)} after ${attempts} attempts (${lastError})${o.deadLetterFile ? `; kept in ${o.deadLetterFile}` : ''}`,
        );
        if (o.deadLetterFile) await appendFile(o.deadLetterFile, `${JSON.stringify({ error: lastError, envelope })}\n`).catch(() => {});
      }
    }
    pump = undefined;
  }

  return {
    async publish(ns) {
      for (const n of ns) {
        const envelope = toEnvelope(n, o.region);
        kept.push({ seq: ++seq, envelope });
        if (kept.length > (o.keep ?? 200)) kept.shift();
        o.log(`event: ${describeNotification(n)}`);
        if (o.webhookUrl) {
          queue.push(envelope);
          stats.pending = queue.length;
        }
      }
      if (o.webhookUrl && !pump && queue.length) pump = deliverAll();
    },
    since: (after) => kept.filter((k) => k.seq > after),
    webhook: stats,
    async drained(timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (queue.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return queue.length === 0;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
