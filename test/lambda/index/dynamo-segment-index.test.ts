import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEventItem, toSegmentItem, type SegmentMetadata } from '../../../contract/index.ts';
import { dynamoSegmentIndex } from '../../../lambda/index/dynamo-segment-index.ts';
import type { SegmentIndex } from '../../../lambda/index/segment-index.ts';
import { startDynalite, type RunningDynalite } from '../../../local/emulators/start-dynalite.ts';

const TABLE = 'camrec-index-test';
const T0 = Date.UTC(2026, 0, 1);
const KEY = 'ab'.repeat(16);
const meta = (seq: number, startMs = T0 + seq * 6000): SegmentMetadata => ({
  startMs,
  durationMs: 6000,
  seq,
  discSeq: 0,
  keyId: KEY,
  iv: seq.toString(16).padStart(32, '0'),
  codecs: 'avc1.64001f',
  width: 2,
  height: 2,
});

describe('DynamoDB segment index (dynalite)', () => {
  let dyn: RunningDynalite;
  let index: SegmentIndex;
  beforeAll(async () => {
    dyn = await startDynalite({ tableName: TABLE });
    index = dynamoSegmentIndex(dyn.createClient(), TABLE);
  });
  afterAll(async () => dyn?.close());

  it('writes each item once and moves the state only forward', async () => {
    expect(await index.putSegment(toSegmentItem('cam-w', meta(1), 'k1', 1, 7))).toBe('created');
    expect(await index.putSegment(toSegmentItem('cam-w', { ...meta(1), durationMs: 1 }, 'k1', 1, 7))).toBe('exists');
    for (const seq of [5, 3, 7, 6]) await index.advanceState('cam-w', { seenMs: seq, seq, discSeq: seq, keyId: KEY });
    expect(await index.getState('cam-w')).toMatchObject({ lastSeq: 7, lastDiscSeq: 7, lastSeenMs: 7 });
    expect((await index.querySegments('cam-w', T0, T0 + 60_000)).items).toEqual([expect.objectContaining({ seq: 1, durationMs: 6000 })]);
  });

  it('reads [start, end) exactly, pages with a cursor, and reads long ranges in parallel slices', async () => {
    // 3 h of 6 s segments at one per minute (180 items) spans the parallel path.
    for (let i = 0; i < 180; i++) await index.putSegment(toSegmentItem('cam-r', meta(i, T0 + i * 60_000), `k${i}`, 1, 7));
    const all = await index.querySegments('cam-r', T0, T0 + 180 * 60_000);
    expect(all.items.map((s) => s.seq)).toEqual(Array.from({ length: 180 }, (_, i) => i));
    expect(all.nextStartMs).toBeUndefined();
    const range = await index.querySegments('cam-r', T0 + 60_000, T0 + 180_000);
    expect(range.items.map((s) => s.seq)).toEqual([1, 2]);
    const page = await index.querySegments('cam-r', T0, T0 + 180 * 60_000, 50);
    expect(page.items).toHaveLength(50);
    expect(page.nextStartMs).toBe(T0 + 50 * 60_000);
    expect((await index.newestSegments('cam-r', 3)).map((s) => s.seq)).toEqual([177, 178, 179]);
    expect(all.items[7]).toEqual({ startMs: T0 + 7 * 60_000, durationMs: 6000, seq: 7, discSeq: 0, keyId: KEY, iv: meta(7).iv });
  });

  it('still reads segments written before items carried a packed summary', async () => {
    const doc = DynamoDBDocumentClient.from(dyn.createClient());
    const { summary: _dropped, ...legacy } = toSegmentItem('cam-old', meta(2), 'k2', 1, 7);
    await doc.send(new PutCommand({ TableName: TABLE, Item: legacy }));
    await index.putSegment(toSegmentItem('cam-old', meta(3), 'k3', 1, 7));
    expect((await index.querySegments('cam-old', T0, T0 + 60_000)).items.map((s) => [s.seq, s.iv])).toEqual([
      [2, meta(2).iv],
      [3, meta(3).iv],
    ]);
  });

  it('finds events that overlap the range, including one that began before it', async () => {
    const ev = (id: string, startMs: number, endMs: number) =>
      toEventItem({ version: 1, deviceId: 'cam-e', eventId: id, type: 'motion', startMs, endMs }, 'k', 7);
    for (const e of [
      ev('before', T0 - 3_600_000, T0 + 1000),
      ev('inside', T0 + 5000, T0 + 6000),
      ev('ended', T0 - 10_000, T0 - 1),
      ev('after', T0 + 60_000, T0 + 61_000),
    ])
      await index.putEvent(e);
    expect((await index.queryEvents('cam-e', T0, T0 + 60_000)).map((e) => e.eventId)).toEqual(['before', 'inside']);
  });
});
