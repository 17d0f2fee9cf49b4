import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NotificationType,
  notificationDetailSchemas,
  resolveEventEnd,
  type EventEndRecord,
  type EventStartRecord,
  type Notification,
} from '../../../contract/index.ts';
import { dynamoEventStore } from '../../../lambda/events/dynamo-event-store.ts';
import { dynamoSegmentIndex } from '../../../lambda/index/dynamo-segment-index.ts';
import { buildTimeline } from '../../../lambda/timeline/build-timeline.ts';
import { NotifyHarness, TABLE } from '../support/notify-harness.ts';

const T0 = Date.UTC(2026, 2, 1, 12);
const start = (deviceId: string, eventId: string, startMs: number, maxDurationMs = 300_000): EventStartRecord => ({
  version: 2,
  phase: 'start',
  deviceId,
  eventId,
  type: 'motion',
  startMs,
  maxDurationMs,
});
const endRecord = (s: EventStartRecord, endMs: number, endReason: EventEndRecord['endReason'] = 'stopped'): EventEndRecord => ({
  version: 2,
  phase: 'end',
  deviceId: s.deviceId,
  eventId: s.eventId,
  type: s.type,
  startMs: s.startMs,
  endMs,
  endReason,
});
const details = (ns: Notification[], type: string) => ns.filter((n) => n.type === type).map((n) => n.detail as Record<string, unknown>);

describe('event records: open at start, closed at end (indexer + dynalite)', () => {
  let h: NotifyHarness;
  beforeAll(async () => {
    h = await new NotifyHarness(T0).start();
  });
  afterAll(async () => h?.close());

  it('publishes "started" when the start record lands, before the event ends, and shows the event open', async () => {
    const s = start('cam-a', 'e-1', h.nowMs);
    h.nowMs += 2000; // the record reaches S3 two seconds after the start
    await h.eventRecord(s);
    expect(h.publisher.types('cam-a')).toEqual([NotificationType.EVENT_STARTED]);
    const started = h.publisher.published[0]!;
    expect(notificationDetailSchemas[NotificationType.EVENT_STARTED].parse(started.detail)).toMatchObject({
      eventId: 'e-1',
      type: 'motion',
      startMs: s.startMs,
      maxEndMs: s.startMs + 300_000,
    });
    expect(started.timeMs).toBe(s.startMs);

    // Readers see it open: no end yet, the timeline ends it "now", the playlist gives no END-DATE.
    const [item] = await dynamoSegmentIndex(h.client, TABLE).queryEvents('cam-a', s.startMs, s.startMs + 1000);
    expect(item).toMatchObject({ eventId: 'e-1', startMs: s.startMs });
    expect(item!.endMs).toBeUndefined();
    expect(resolveEventEnd(item!, h.nowMs)).toEqual({ endMs: h.nowMs, open: true });
    const tl = buildTimeline('cam-a', s.startMs - 60_000, s.startMs + 60_000, [], [item!], null, h.nowMs);
    expect(tl.events).toEqual([expect.objectContaining({ eventId: 'e-1', open: true, endMs: h.nowMs })]);

    // A replay of the same S3 event publishes nothing more.
    await h.eventRecord(s);
    expect(h.publisher.types('cam-a')).toEqual([NotificationType.EVENT_STARTED]);

    h.nowMs += 8000;
    await h.eventRecord(endRecord(s, s.startMs + 9000));
    expect(h.publisher.types('cam-a')).toEqual([NotificationType.EVENT_STARTED, NotificationType.EVENT_ENDED]);
    expect(details(h.publisher.published, NotificationType.EVENT_ENDED)[0]).toMatchObject({
      eventId: 'e-1',
      endMs: s.startMs + 9000,
      durationMs: 9000,
      endReason: 'stopped',
      inferred: false,
    });
    const [closed] = await dynamoSegmentIndex(h.client, TABLE).queryEvents('cam-a', s.startMs, s.startMs + 1000);
    expect(closed).toMatchObject({ endMs: s.startMs + 9000, endReason: 'stopped' });
    await h.eventRecord(endRecord(s, s.startMs + 9000));
    expect(h.publisher.published).toHaveLength(2);
  });

  it('takes the two records in either order and publishes each notification once', async () => {
    const s = start('cam-b', 'e-2', h.nowMs);
    await h.eventRecord(endRecord(s, s.startMs + 4000));
    await h.eventRecord(s);
    await h.eventRecord(endRecord(s, s.startMs + 4000));
    await h.eventRecord(s);
    expect(h.publisher.types('cam-b').sort()).toEqual([NotificationType.EVENT_ENDED, NotificationType.EVENT_STARTED]);
    const item = await dynamoEventStore(h.client, TABLE).newestEvent('cam-b');
    expect(item).toMatchObject({
      type: 'motion',
      startMs: s.startMs,
      endMs: s.startMs + 4000,
      maxEndMs: s.startMs + 300_000,
      startNotified: true,
      endNotified: true,
    });
  });

  it('a camera that died mid-event: the next start closes it (inferred), and the late end record of the camera still wins', async () => {
    const first = start('cam-c', 'e-3', h.nowMs);
    await h.eventRecord(first);
    h.nowMs += 30_000;
    const second = start('cam-c', 'e-4', h.nowMs);
    await h.eventRecord(second);
    const ended = details(h.publisher.published, NotificationType.EVENT_ENDED).filter((d) => d.deviceId === 'cam-c');
    expect(ended).toEqual([expect.objectContaining({ eventId: 'e-3', endMs: second.startMs, endReason: 'superseded', inferred: true })]);
    // The camera's own end record, stuck in its backlog, lands later: it replaces the inferred end.
    await h.eventRecord(endRecord(first, first.startMs + 12_000, 'restart'));
    const item = (await dynamoSegmentIndex(h.client, TABLE).queryEvents('cam-c', first.startMs, first.startMs + 1))[0]!;
    expect(item).toMatchObject({ endMs: first.startMs + 12_000, endReason: 'restart' });
    expect(item.endInferred).toBeUndefined();
    expect(
      details(h.publisher.published, NotificationType.EVENT_ENDED)
        .filter((d) => d.deviceId === 'cam-c')
        .map((d) => [d.eventId, d.endReason, d.inferred]),
    ).toEqual([
      ['e-3', 'superseded', true],
      ['e-3', 'restart', false],
    ]);
  });

  it('an event open past its maximum length reads as ended there', async () => {
    const s = start('cam-d', 'e-5', h.nowMs, 60_000);
    await h.eventRecord(s);
    const [item] = await dynamoSegmentIndex(h.client, TABLE).queryEvents('cam-d', s.startMs, s.startMs + 1);
    expect(resolveEventEnd(item!, s.startMs + 30_000)).toEqual({ endMs: s.startMs + 30_000, open: true });
    expect(resolveEventEnd(item!, s.startMs + 3_600_000)).toEqual({ endMs: s.startMs + 60_000, open: false });
    // and a range read after that maximum no longer returns it
    expect(await dynamoSegmentIndex(h.client, TABLE).queryEvents('cam-d', s.startMs + 61_000, s.startMs + 120_000)).toEqual([]);
  });

  it('a publish that fails fails the invocation; the replay publishes what is still unpublished', async () => {
    const s = start('cam-e', 'e-6', h.nowMs);
    h.publisher.failNext = 1;
    await expect(h.eventRecord(s)).rejects.toThrow(/could not index 1 object/);
    expect(h.publisher.types('cam-e')).toEqual([]);
    await h.eventRecord(s); // S3 / Lambda retry
    expect(h.publisher.types('cam-e')).toEqual([NotificationType.EVENT_STARTED]);
  });

  it('never scans the table', () => {
    expect(h.commands.length).toBeGreaterThan(10);
    expect(h.commands.filter((c) => /Scan/.test(c))).toEqual([]);
  });
});
