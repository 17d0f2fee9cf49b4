import type { S3Event } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { eventKey, segmentKey, serializeEventRecord, toS3Metadata, wrappedKeyKey, type SegmentMetadata } from '../../../contract/index.ts';
import { createIndexer, IndexerError } from '../../../lambda/indexer/create-indexer.ts';
import type { ObjectHead, ObjectStore } from '../../../lambda/storage/object-store.ts';
import { MemorySegmentIndex } from '../support/memory-segment-index.ts';

const BUCKET = 'camrec-bucket';
const T0 = Date.UTC(2026, 0, 1, 10);
const KEY_ID = 'ab'.repeat(16);
const meta = (seq: number, discSeq = 0): SegmentMetadata => ({
  startMs: T0 + seq * 6000,
  durationMs: 6000,
  seq,
  discSeq,
  keyId: KEY_ID,
  iv: '00'.repeat(16),
  codecs: 'avc1.64001f',
  width: 640,
  height: 360,
});

/** A bucket in memory: key -> head + body. */
function bucket(objects: Record<string, { metadata?: Record<string, string>; body?: string | Uint8Array }>): ObjectStore {
  return {
    async head(key): Promise<ObjectHead | undefined> {
      const o = objects[key];
      return o ? { metadata: o.metadata ?? {}, sizeBytes: o.body ? Buffer.byteLength(o.body as string) : 100, lastModifiedMs: T0 } : undefined;
    },
    async getBytes(key) {
      const o = objects[key];
      return o?.body === undefined ? undefined : typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
    },
  };
}

const s3Event = (...keys: string[]): S3Event =>
  ({
    Records: keys.map((key) => ({
      eventName: 'ObjectCreated:Put',
      eventTime: new Date(T0).toISOString(),
      s3: { bucket: { name: BUCKET }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/') } },
    })),
  }) as unknown as S3Event;

const segKey = (seq: number) => segmentKey({ deviceId: 'cam-1', startMs: T0 + seq * 6000, seq });
const good: Record<string, { metadata?: Record<string, string>; body?: string | Uint8Array }> = {
  [segKey(1)]: { metadata: toS3Metadata(meta(1)) },
  [segKey(2)]: { metadata: toS3Metadata(meta(2)) },
  [segKey(3)]: { metadata: toS3Metadata(meta(3, 1)) },
  [wrappedKeyKey({ deviceId: 'cam-1', keyId: KEY_ID })]: { body: new Uint8Array(256) },
  [eventKey({ deviceId: 'cam-1', startMs: T0, eventId: 'e1' })]: {
    body: serializeEventRecord({ version: 1, deviceId: 'cam-1', eventId: 'e1', type: 'motion', startMs: T0, endMs: T0 + 5000 }),
  },
};
const clock = { nowMs: () => T0 };

describe('indexer', () => {
  it('leaves the same index for any order and any repetition of the events', async () => {
    const keys = Object.keys(good);
    const orders = [keys, [...keys].reverse(), [keys[2]!, keys[0]!, keys[4]!, keys[1]!, keys[3]!, keys[2]!, keys[0]!]];
    const snapshots: string[] = [];
    for (const order of orders) {
      const index = new MemorySegmentIndex();
      const indexer = createIndexer({ index, events: index, store: bucket(good), config: { retentionDays: 7, bucketName: BUCKET }, clock });
      // One record per event, as S3 sends them, plus one batch with two records.
      for (const k of order.slice(0, -2)) await indexer(s3Event(k));
      await indexer(s3Event(...order.slice(-2)));
      snapshots.push(JSON.stringify([...index.items.get('cam-1')!.entries()].sort()));
      expect(await index.getState('cam-1')).toMatchObject({ lastSeq: 3, lastDiscSeq: 1, lastSeenMs: T0 + 4 * 6000 });
    }
    expect(new Set(snapshots).size).toBe(1);
    expect(JSON.parse(snapshots[0]!).map(([sk]: [string]) => sk)).toEqual([
      `evt#${T0}#e1`,
      `key#${KEY_ID}`,
      `seg#${T0 + 6000}`,
      `seg#${T0 + 12000}`,
      `seg#${T0 + 18000}`,
      'state',
    ]);
  });

  it('logs and skips what does not parse, indexing the rest of the batch', async () => {
    const objects = {
      ...good,
      'notes/readme.txt': { body: 'x' },
      [segmentKey({ deviceId: 'cam-1', startMs: T0 + 60_000, seq: 9 })]: { metadata: { ...toS3Metadata(meta(9)), iv: 'nope' } },
      [segmentKey({ deviceId: 'cam-1', startMs: T0 + 66_000, seq: 11 })]: { metadata: toS3Metadata(meta(10)) },
      [eventKey({ deviceId: 'cam-1', startMs: T0, eventId: 'e2' })]: {
        body: serializeEventRecord({ version: 1, deviceId: 'cam-2', eventId: 'e2', type: 'motion', startMs: T0, endMs: T0 + 1 }),
      },
      [eventKey({ deviceId: 'cam-1', startMs: T0, eventId: 'e3' })]: { body: '{not json' },
    };
    const index = new MemorySegmentIndex();
    const warnings: string[] = [];
    const log = { info: () => {}, error: () => {}, warn: (_m: string, extra?: Record<string, unknown>) => void warnings.push(String(extra?.reason)) };
    const indexer = createIndexer({ index, events: index, store: bucket(objects), config: { retentionDays: 7, bucketName: BUCKET }, clock, log });
    const report = await indexer(s3Event(...Object.keys(objects), 'segments/cam-1/gone.ts', segKey(7)));
    expect(report.indexed).toBe(5);
    expect(report.skipped.map((s) => s.key)).toEqual([
      'notes/readme.txt',
      segmentKey({ deviceId: 'cam-1', startMs: T0 + 60_000, seq: 9 }),
      segmentKey({ deviceId: 'cam-1', startMs: T0 + 66_000, seq: 11 }),
      eventKey({ deviceId: 'cam-1', startMs: T0, eventId: 'e2' }),
      eventKey({ deviceId: 'cam-1', startMs: T0, eventId: 'e3' }),
      'segments/cam-1/gone.ts',
      segKey(7),
    ]);
    expect(warnings.join('\n')).toMatch(
      /not under segments\/[\s\S]*iv must[\s\S]*disagree with the key[\s\S]*disagrees with its key[\s\S]*not JSON[\s\S]*no longer exists/,
    );
    expect([...index.items.get('cam-1')!.keys()].filter((k) => k.startsWith('seg#'))).toHaveLength(3);
  });

  it('skips other buckets and non-create events', async () => {
    const indexer = createIndexer({
      index: new MemorySegmentIndex(),
      events: new MemorySegmentIndex(),
      store: bucket(good),
      config: { retentionDays: 7, bucketName: BUCKET },
      clock,
    });
    const other = s3Event(segKey(1));
    other.Records[0]!.s3.bucket.name = 'someone-else';
    expect((await indexer(other)).skipped[0]!.reason).toMatch(/not camrec-bucket/);
    const removed = s3Event(segKey(1));
    (removed.Records[0] as { eventName: string }).eventName = 'ObjectRemoved:Delete';
    expect((await indexer(removed)).skipped[0]!.reason).toMatch(/not ObjectCreated/);
  });

  it('throws a retryable IndexerError when S3 fails, after indexing the others', async () => {
    const index = new MemorySegmentIndex();
    const store = bucket(good);
    const flaky: ObjectStore = { ...store, head: async (k) => (k === segKey(2) ? Promise.reject(new Error('SlowDown')) : store.head(k)) };
    const indexer = createIndexer({ index, events: index, store: flaky, config: { retentionDays: 7 }, clock });
    const err = await indexer(s3Event(segKey(1), segKey(2), segKey(3))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IndexerError);
    expect((err as IndexerError).retryable).toBe(true);
    expect((err as IndexerError).failedKeys).toEqual([segKey(2)]);
    expect([...index.items.get('cam-1')!.keys()].filter((k) => k.startsWith('seg#'))).toHaveLength(2);
  });

  describe('with packed history', () => {
    const HOUR = 3_600_000;
    const packing = { periodMs: HOUR, graceMs: 600_000, hotIndexDays: 3 };
    const at = (startMs: number, seq: number): [string, { metadata: Record<string, string> }] => [
      segmentKey({ deviceId: 'cam-1', startMs, seq }),
      { metadata: toS3Metadata({ ...meta(seq), startMs }) },
    ];

    it('registers each pack hour once while a camera records in order, and again for what a pack run may have missed', async () => {
      const h0 = T0; // 10:00
      const objects = Object.fromEntries([at(h0, 1), at(h0 + 6000, 2), at(h0 + HOUR, 3), at(h0 + HOUR + 6000, 4), at(h0 + 12_000, 5)]);
      let now = h0 + 7000;
      const index = new MemorySegmentIndex();
      const indexer = createIndexer({
        index,
        events: index,
        store: bucket(objects),
        config: { retentionDays: 30, bucketName: BUCKET, packing },
        clock: { nowMs: () => now },
      });
      const keys = Object.keys(objects);
      await indexer(s3Event(keys[0]!)); // first of hour 10:00
      await indexer(s3Event(keys[1]!)); // same hour, in order: no extra write
      now = h0 + HOUR + 7000;
      await indexer(s3Event(keys[2]!)); // first of 11:00
      await indexer(s3Event(keys[3]!));
      await indexer(s3Event(keys[3]!)); // a replay: the state did not move
      now = h0 + HOUR + 700_000;
      await indexer(s3Event(keys[4]!)); // a 10:00 segment arriving after that hour was due: seq 5 moves the state, the hour did not
      expect(index.registrations.map((r) => [r.hourMs - h0, r.registration.dueMs - h0])).toEqual([
        [0, HOUR + 600_000],
        [HOUR, 2 * HOUR + 600_000],
        [HOUR, 2 * HOUR + 600_000],
        [0, HOUR + 700_000 + 600_000],
      ]);
      // Only the replay may be a re-upload of a packed segment: its start is flagged for the compactor to check against the pack.
      expect(index.registrations.map((r) => r.registration.recheckStartMs)).toEqual([undefined, undefined, h0 + HOUR + 6000, undefined]);
      // Segment items live a few days (history is read from packs), not the whole retention.
      const seg = index.items.get('cam-1')!.get(`seg#${h0}`) as { ttl: number };
      expect(seg.ttl).toBe(Math.floor(h0 / 1000) + 3 * 86_400);
    });

    it('records the checksum S3 keeps for a segment', async () => {
      const [key, o] = at(T0, 1);
      const store: ObjectStore = { ...bucket({ [key]: o }), head: async () => ({ metadata: o.metadata, sizeBytes: 10, checksumSha256: 'x'.repeat(43) + '=' }) };
      const index = new MemorySegmentIndex();
      await createIndexer({ index, events: index, store, config: { retentionDays: 30, packing }, clock }).indexObject(key);
      expect(index.items.get('cam-1')!.get(`seg#${T0}`)).toMatchObject({ checksumSha256: 'x'.repeat(43) + '=' });
    });
  });
});
