import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationType, notificationDetailSchemas, type EventStartRecord } from '../../../contract/index.ts';
import { dynamoLivenessStore } from '../../../lambda/liveness/dynamo-liveness-store.ts';
import { checkDevice } from '../../../lambda/liveness/offline-watch.ts';
import { NotifyHarness, TABLE } from '../support/notify-harness.ts';

const T0 = Date.UTC(2026, 2, 2, 8);
const OFFLINE_AFTER_MS = 90_000;

describe('offline watch: delayed messages per camera, conditional state writes (dynalite)', () => {
  let h: NotifyHarness;
  beforeAll(async () => {
    h = await new NotifyHarness(T0, OFFLINE_AFTER_MS).start();
  });
  afterAll(async () => h?.close());

  it('reports a camera offline within 2 minutes of its last segment, closes its open event there, and online when it is back', async () => {
    for (let i = 0; i < 10; i++) {
      await h.segment('cam-1');
      h.nowMs += 6000;
    }
    // One watch message for the camera, due offlineAfter (+1 s) after the first signal.
    expect(h.queue.pending.map((p) => p.message.deviceId)).toEqual(['cam-1']);
    const open: EventStartRecord = {
      version: 2,
      phase: 'start',
      deviceId: 'cam-1',
      eventId: 'm-1',
      type: 'motion',
      startMs: h.nowMs - 3000,
      maxDurationMs: 300_000,
    };
    await h.eventRecord(open);
    await h.segment('cam-1');
    const lastSignalMs = h.nowMs;
    // The camera dies. Nothing happens until offlineAfter has passed since its last segment...
    const outcomes = await h.advance(OFFLINE_AFTER_MS - 1000);
    expect(outcomes.every((o) => o === 'rescheduled')).toBe(true);
    expect(h.publisher.types('cam-1')).not.toContain(NotificationType.CAMERA_OFFLINE);
    // ...then "offline" comes within a few seconds.
    await h.advance(5000);
    const offline = h.publisher.published.find((n) => n.type === NotificationType.CAMERA_OFFLINE)!;
    expect(offline).toBeDefined();
    const d = notificationDetailSchemas[NotificationType.CAMERA_OFFLINE].parse(offline.detail);
    expect(d).toMatchObject({ deviceId: 'cam-1', lastHeardMs: lastSignalMs, offlineAfterSeconds: 90 });
    expect(d.detectedMs - lastSignalMs).toBeGreaterThanOrEqual(OFFLINE_AFTER_MS);
    expect(d.detectedMs - lastSignalMs).toBeLessThan(120_000);
    // Its open event was closed at the last signal, and the watch ended: no more messages.
    const ended = h.publisher.published.filter((n) => n.type === NotificationType.EVENT_ENDED).map((n) => n.detail as Record<string, unknown>);
    expect(ended).toEqual([expect.objectContaining({ eventId: 'm-1', endMs: lastSignalMs, endReason: 'offline', inferred: true })]);
    expect(h.queue.pending).toEqual([]);
    const state = await dynamoLivenessStore(h.client, TABLE).getState('cam-1');
    expect(state).toMatchObject({ offlineSinceMs: lastSignalMs });
    expect(state!.watchId).toBeUndefined();

    // Ten minutes later it is back.
    await h.advance(600_000);
    expect(h.publisher.types('cam-1').filter((t) => t === NotificationType.CAMERA_OFFLINE)).toHaveLength(1);
    await h.segment('cam-1');
    const online = h.publisher.published.find((n) => n.type === NotificationType.CAMERA_ONLINE)!;
    expect(notificationDetailSchemas[NotificationType.CAMERA_ONLINE].parse(online.detail)).toMatchObject({
      offlineSinceMs: lastSignalMs,
      backMs: h.nowMs,
      outageMs: h.nowMs - lastSignalMs,
    });
    expect(h.queue.pending).toHaveLength(1); // a new watch
    expect((await dynamoLivenessStore(h.client, TABLE).getState('cam-1'))!.offlineSinceMs).toBeUndefined();
  });

  it('an idle event-mode camera stays online on heartbeats every 45 s, and privacy pause is no outage', async () => {
    const before = h.publisher.published.length;
    for (let i = 0; i < 40; i++) {
      await h.heartbeat('cam-2', { privacyPaused: i >= 20 });
      await h.advance(45_000);
    }
    expect(h.publisher.published.slice(before).filter((n) => n.detail.deviceId === 'cam-2')).toEqual([]);
    expect(await dynamoLivenessStore(h.client, TABLE).getState('cam-2')).toMatchObject({ privacyPaused: true, recordingMode: 'event' });
    // One message per watch check (30 min / ~90 s), never a pile-up.
    expect(h.queue.pending.filter((p) => p.message.deviceId === 'cam-2')).toHaveLength(1);
  });

  it('a duplicated or stale message never reports a camera twice', async () => {
    await h.segment('cam-3');
    const msg = h.queue.pending.find((p) => p.message.deviceId === 'cam-3')!.message;
    h.nowMs += OFFLINE_AFTER_MS + 5000;
    h.queue.pending.splice(0); // deliver by hand: the same message three times (SQS is at least once)
    const outcomes = [
      await checkDevice(h.watchDeps, msg),
      await checkDevice(h.watchDeps, msg),
      await checkDevice(h.watchDeps, { ...msg, watchId: 'not-the-watch' }),
    ];
    expect(outcomes).toEqual(['offline', 'dropped', 'dropped']);
    expect(h.publisher.types('cam-3')).toEqual([NotificationType.CAMERA_OFFLINE]);
  });

  it('a failed publish of "offline" is retried by the next delivery and reported then', async () => {
    await h.segment('cam-4');
    const msg = h.queue.pending.find((p) => p.message.deviceId === 'cam-4')!.message;
    h.queue.pending.splice(0);
    h.nowMs += OFFLINE_AFTER_MS + 5000;
    h.publisher.failNext = 1;
    await expect(checkDevice(h.watchDeps, msg)).rejects.toThrow(/unavailable/);
    expect(await checkDevice(h.watchDeps, msg)).toBe('offline');
    expect(h.publisher.types('cam-4')).toEqual([NotificationType.CAMERA_OFFLINE]);
  });

  it('reads and writes one camera at a time: no Scan, whatever happened', () => {
    // Every DynamoDB call the indexer and the checker made: keyed reads and conditional writes on one partition.
    expect([...new Set(h.commands)].sort()).toEqual(['GetItemCommand', 'PutItemCommand', 'QueryCommand', 'UpdateItemCommand']);
  });
});
