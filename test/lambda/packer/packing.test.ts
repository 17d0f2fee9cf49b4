import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HourStatus, decodePackedSegments, packObjectKey, parsePackName, toS3Metadata } from '../../../contract/index.ts';
import type { PackStore } from '../../../lambda/storage/pack-store.ts';
import type { HistoryStore } from '../../../lambda/index/history-store.ts';
import { BUCKET, HOUR_MS, PackingHarness, type HarnessSegment } from '../support/packing-harness.ts';

let h: PackingHarness;
beforeAll(async () => {
  h = await PackingHarness.start();
});
afterAll(async () => h?.close());

/** A closed hour well in the past (the indexer then registers it due right away plus grace). */
const pastHour = (hoursAgo: number) => Math.floor(Date.now() / HOUR_MS) * HOUR_MS - hoursAgo * HOUR_MS;

/** After the grace: the hour is due and may be packed. */
const pastGrace = () => {
  h.clockOffsetMs += h.packing.graceMs + 1000;
};

/**
 * What a reader of the index sees for the hour: each uploaded segment exactly once, and
 * its bytes (a byte range of its pack, or its hot object) exactly what the camera sent.
 */
async function expectWhole(deviceId: string, hourMs: number, uploaded: readonly HarnessSegment[]): Promise<{ packed: number; hot: number }> {
  const page = await h.index.querySegments(deviceId, hourMs, hourMs + HOUR_MS);
  expect(page.items.map((s) => s.startMs)).toEqual(uploaded.map((s) => s.meta.startMs).sort((a, b) => a - b));
  let packed = 0;
  let hot = 0;
  for (const s of page.items) {
    const original = uploaded.find((u) => u.meta.startMs === s.startMs)!;
    expect(s).toMatchObject({ seq: original.meta.seq, durationMs: original.meta.durationMs, keyId: original.meta.keyId, iv: original.meta.iv });
    let bytes: Buffer;
    if (s.pack) {
      packed++;
      bytes = await h.range(packObjectKey(deviceId, parsePackName(s.pack.name)), s.pack.offset, s.pack.length);
    } else {
      hot++;
      const out = await h.raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: original.key }));
      bytes = Buffer.from(await out.Body!.transformToByteArray());
    }
    expect(bytes.equals(original.body), `bytes of ${original.key}`).toBe(true);
  }
  return { packed, hot };
}

/** Runs `f`, expecting the simulated crash. */
async function crashes(f: () => Promise<unknown>): Promise<void> {
  await expect(f()).rejects.toThrow(/simulated crash/);
}
const crash = () => new Error('simulated crash');

describe('compaction against s3rver and dynalite', () => {
  it('packs a closed hour: one verified pack, every range the original bytes, hot objects deleted, the hour settled', async () => {
    const hourMs = pastHour(3);
    const segs = h.segments('cam-pack', { startMs: hourMs, count: 20, seq: 100 });
    await h.upload(segs);
    expect(h.indexErrors).toEqual([]);
    // The indexer recorded the camera's checksum with every segment.
    const items = await h.history.hourSegments('cam-pack', hourMs, HOUR_MS);
    expect(items.every((s) => typeof s.checksumSha256 === 'string' && s.checksumSha256.length === 44)).toBe(true);
    const report = await h.packer().packHour({ deviceId: 'cam-pack', hourMs });
    expect(report).toMatchObject({ settled: true, deletedHot: 20, unpackable: [] });
    expect(report.packs).toHaveLength(1);
    expect(await expectWhole('cam-pack', hourMs, segs)).toEqual({ packed: 20, hot: 0 });
    for (const s of segs) expect(await h.exists(s.key)).toBe(false);
    const hour = await h.history.getHour('cam-pack', hourMs);
    expect(hour).toMatchObject({ status: HourStatus.PACKED, unpackable: 0 });
    expect(hour!.dueMs).toBeUndefined();
    // The pack's recorded checksums are the camera's.
    const [pack] = await h.history.hourPacks('cam-pack', hourMs);
    const sums = await h.history.packChecksums('cam-pack', hourMs, pack!.packNo, pack!.digest);
    const packed = decodePackedSegments(pack!.hourMs, pack!.segs, pack!.keys, pack!.formats, sums!.sums);
    expect(packed.map((p) => p.checksumSha256)).toEqual(items.map((i) => i.checksumSha256));
    expect(pack!.storageClass).toBe('STANDARD_IA');
  });

  it('cuts a large hour into several parts (multipart upload) and every range still reads back', async () => {
    const hourMs = pastHour(4);
    const segs = h.segments('cam-big', { startMs: hourMs, count: 30, seq: 1, sizeBytes: 30_000 });
    await h.upload(segs);
    const uploads: number[] = [];
    const store: PackStore = {
      ...h.store,
      async startPack(key, o) {
        const u = await h.store.startPack(key, o);
        return { ...u, uploadPart: (n, b, c) => (uploads.push(b.length), u.uploadPart(n, b, c)) };
      },
    };
    const report = await h.packer({ store }).packHour({ deviceId: 'cam-big', hourMs });
    expect(report.settled).toBe(true);
    // 30 segments of ~30 kB = ~925 kB cut into the 4 parts the harness aims for: 3 equal, the last shorter.
    const total = segs.reduce((n, s) => n + s.body.length, 0);
    expect(uploads.length).toBe(4);
    expect(uploads.slice(0, -1)).toEqual([1, 2, 3].map(() => Math.ceil(total / 4)));
    expect(uploads.reduce((a, b) => a + b)).toBe(total);
    expect(await expectWhole('cam-big', hourMs, segs)).toEqual({ packed: 30, hot: 0 });
  });

  it('a crash after the pack PUT leaves the hot objects; a rerun packs the same bytes under the same key', async () => {
    const hourMs = pastHour(5);
    const segs = h.segments('cam-crash-put', { startMs: hourMs, count: 12, seq: 1 });
    await h.upload(segs);
    // The pack object is stored (one PUT or a completed multipart upload), then the run dies.
    const store: PackStore = {
      ...h.store,
      putPack: async (...a) => (await h.store.putPack(...a), Promise.reject(crash())),
      async startPack(key, o) {
        const u = await h.store.startPack(key, o);
        return { ...u, complete: async (parts) => (await u.complete(parts), Promise.reject(crash())) };
      },
    };
    await crashes(() => h.packer({ store }).packHour({ deviceId: 'cam-crash-put', hourMs }));
    expect(await h.history.hourPacks('cam-crash-put', hourMs)).toEqual([]);
    expect(await expectWhole('cam-crash-put', hourMs, segs)).toEqual({ packed: 0, hot: 12 });
    const report = await h.packer().packHour({ deviceId: 'cam-crash-put', hourMs });
    expect(report.settled).toBe(true);
    expect(await expectWhole('cam-crash-put', hourMs, segs)).toEqual({ packed: 12, hot: 0 });
  });

  it('a crash after the index write lists each segment once (from the pack) and a rerun deletes the hot copies', async () => {
    const hourMs = pastHour(6);
    const segs = h.segments('cam-crash-index', { startMs: hourMs, count: 12, seq: 1 });
    await h.upload(segs);
    const history: HistoryStore = { ...h.history, putPack: async (item, sums) => (await h.history.putPack(item, sums), Promise.reject(crash())) };
    await crashes(() => h.packer({ history }).packHour({ deviceId: 'cam-crash-index', hourMs }));
    for (const s of segs) expect(await h.exists(s.key)).toBe(true);
    expect(await expectWhole('cam-crash-index', hourMs, segs)).toEqual({ packed: 12, hot: 0 });
    expect((await h.history.getHour('cam-crash-index', hourMs))!.status).toBe(HourStatus.OPEN);
    const report = await h.packer().packHour({ deviceId: 'cam-crash-index', hourMs });
    expect(report).toMatchObject({ settled: true, packs: [], deletedHot: 12 });
    expect((await h.history.hourPacks('cam-crash-index', hourMs)).length).toBe(1);
    for (const s of segs) expect(await h.exists(s.key)).toBe(false);
    expect(await expectWhole('cam-crash-index', hourMs, segs)).toEqual({ packed: 12, hot: 0 });
  });

  it('a crash during the deletes loses nothing; a rerun finishes them', async () => {
    const hourMs = pastHour(7);
    const segs = h.segments('cam-crash-delete', { startMs: hourMs, count: 12, seq: 1 });
    await h.upload(segs);
    const store: PackStore = { ...h.store, deleteObjects: async (keys) => (await h.store.deleteObjects(keys.slice(0, 5)), Promise.reject(crash())) };
    await crashes(() => h.packer({ store }).packHour({ deviceId: 'cam-crash-delete', hourMs }));
    const left = await Promise.all(segs.map((s) => h.exists(s.key)));
    expect(left.filter(Boolean).length).toBe(7);
    expect(await expectWhole('cam-crash-delete', hourMs, segs)).toEqual({ packed: 12, hot: 0 });
    const report = await h.packer().packHour({ deviceId: 'cam-crash-delete', hourMs });
    expect(report).toMatchObject({ settled: true, packs: [] });
    for (const s of segs) expect(await h.exists(s.key)).toBe(false);
    expect(await expectWhole('cam-crash-delete', hourMs, segs)).toEqual({ packed: 12, hot: 0 });
  });

  it('segments arriving after their hour was packed go into a follow-up pack that the sweep finds', async () => {
    const hourMs = pastHour(8);
    const segs = h.segments('cam-late', { startMs: hourMs, count: 10, seq: 50 });
    // The camera's backlog: the newest hour first, this hour's first ten, then two more of it later.
    const newer = h.segments('cam-late', { startMs: hourMs + 2 * HOUR_MS, count: 2, seq: 500 });
    await h.upload(newer);
    await h.upload(segs);
    await h.packer().packHour({ deviceId: 'cam-late', hourMs });
    expect((await h.history.getHour('cam-late', hourMs))!.status).toBe(HourStatus.PACKED);
    const late = h.segments('cam-late', { startMs: hourMs + 10 * 6000, count: 2, seq: 60 });
    await h.upload(late);
    // Registered again: open, not due before the grace is over.
    expect((await h.history.getHour('cam-late', hourMs))!.status).toBe(HourStatus.OPEN);
    expect(await expectWhole('cam-late', hourMs, [...segs, ...late])).toEqual({ packed: 10, hot: 2 });
    const dispatched: { deviceId: string; hourMs: number }[] = [];
    const packer = h.packer();
    const sweeper = h.sweeper(async (job) => void dispatched.push(job));
    await sweeper.sweep();
    expect(dispatched.some((j) => j.deviceId === 'cam-late' && j.hourMs === hourMs)).toBe(false);
    pastGrace();
    await sweeper.sweep();
    const job = dispatched.find((j) => j.deviceId === 'cam-late' && j.hourMs === hourMs);
    expect(job).toBeDefined();
    // The lease keeps a second sweep from dispatching the same hour while its run is going.
    const before = dispatched.length;
    await sweeper.sweep();
    expect(dispatched.slice(before).some((j) => j.deviceId === 'cam-late' && j.hourMs === hourMs)).toBe(false);
    const report = await packer.packHour(job!);
    expect(report.packs).toHaveLength(1);
    expect(report.packs[0]!.name).toMatch(/^continuous-\d+-1-[0-9a-f]{16}\.ts$/);
    expect(await expectWhole('cam-late', hourMs, [...segs, ...late])).toEqual({ packed: 12, hot: 0 });
    const hour = await h.history.getHour('cam-late', hourMs);
    expect(hour!.status).toBe(HourStatus.PACKED);
    expect(hour!.dueMs).toBeUndefined();
  });

  it('leaves out (and reports) a segment whose object is gone or differs from its checksum, and packs the rest', async () => {
    const hourMs = pastHour(9);
    const segs = h.segments('cam-bad', { startMs: hourMs, count: 8, seq: 1 });
    await h.upload(segs);
    await h.store.deleteObjects([segs[2]!.key]);
    // Bytes changed behind S3's back (only possible around the write-once front): not what the camera sent.
    await h.raw.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: segs[5]!.key, Body: Buffer.alloc(segs[5]!.body.length, 7), Metadata: toS3Metadata(segs[5]!.meta) }),
    );
    await h.settle();
    const report = await h.packer().packHour({ deviceId: 'cam-bad', hourMs });
    expect(report.unpackable).toEqual([
      { objectKey: segs[2]!.key, reason: `the hot object ${segs[2]!.key} is gone` },
      { objectKey: segs[5]!.key, reason: expect.stringMatching(/has SHA-256 .* the index recorded/) },
    ]);
    expect(report.packs[0]!.segments).toBe(6);
    expect((await h.history.getHour('cam-bad', hourMs))!.unpackable).toBe(2);
    // The changed object is not deleted: only what went into a verified pack is.
    expect(await h.exists(segs[5]!.key)).toBe(true);
    const rest = segs.filter((_, i) => i !== 2 && i !== 5);
    const page = await h.index.querySegments('cam-bad', hourMs, hourMs + HOUR_MS);
    expect(page.items.map((s) => s.seq)).toEqual(rest.map((s) => s.meta.seq));
  });

  it('keeps event footage in event packs of their own kind when events are kept longer', async () => {
    const hourMs = pastHour(10);
    h.packerConfig.eventRetentionDays = 30;
    h.packerConfig.eventStorageClass = 'STANDARD';
    try {
      const segs = h.segments('cam-evt', { startMs: hourMs, count: 10, seq: 1 });
      await h.upload(segs);
      await h.index.putEvent({
        deviceId: 'cam-evt',
        sk: `evt#${String(hourMs + 13_000).padStart(13, '0')}#e1`,
        eventId: 'e1',
        type: 'motion',
        startMs: hourMs + 13_000,
        endMs: hourMs + 20_000,
        objectKey: 'events/cam-evt/x.json',
        ttl: 0,
      });
      const report = await h.packer().packHour({ deviceId: 'cam-evt', hourMs });
      expect(report.packs.map((p) => [p.name.split('-')[0], p.segments])).toEqual([
        ['continuous', 8],
        ['event', 2],
      ]);
      const packs = await h.history.hourPacks('cam-evt', hourMs);
      const event = packs.find((p) => p.kind === 'event')!;
      expect(event.objectKey.startsWith('packs/event/cam-evt/')).toBe(true);
      expect(event.storageClass).toBe('STANDARD');
      // 30 days' TTL for the event pack's item, 7 for the continuous one.
      const continuous = packs.find((p) => p.kind === 'continuous')!;
      expect(event.ttl - continuous.ttl).toBeGreaterThan(22 * 86_400);
      expect(await expectWhole('cam-evt', hourMs, segs)).toEqual({ packed: 10, hot: 0 });
    } finally {
      h.packerConfig.eventRetentionDays = 7;
      h.packerConfig.eventStorageClass = 'STANDARD_IA';
    }
  });

  it('with a drain, keeps hot copies until it is over; readers that may not use the pack yet still see each segment once', async () => {
    const hourMs = pastHour(11);
    h.packerConfig.drainMs = 10 * 60_000;
    try {
      const segs = h.segments('cam-drain', { startMs: hourMs, count: 6, seq: 1 });
      await h.upload(segs);
      const first = await h.packer().packHour({ deviceId: 'cam-drain', hourMs });
      expect(first).toMatchObject({ settled: true, deletedHot: 0 });
      const hour = await h.history.getHour('cam-drain', hourMs);
      expect(hour!.dueMs).toBeGreaterThan(h.clock.nowMs() + 9 * 60_000);
      // A session that started before the pack existed keeps the hot URIs it was given.
      const early = await h.index.querySegments('cam-drain', hourMs, hourMs + HOUR_MS, undefined, { packedBeforeMs: h.clock.nowMs() - 60_000 });
      expect(early.items.every((s) => !s.pack)).toBe(true);
      expect(early.items).toHaveLength(6);
      expect(await expectWhole('cam-drain', hourMs, segs)).toEqual({ packed: 6, hot: 0 });
      h.clockOffsetMs += 11 * 60_000;
      const second = await h.packer().packHour({ deviceId: 'cam-drain', hourMs });
      expect(second.deletedHot).toBe(6);
      for (const s of segs) expect(await h.exists(s.key)).toBe(false);
      expect((await h.history.getHour('cam-drain', hourMs))!.dueMs).toBeUndefined();
    } finally {
      h.packerConfig.drainMs = 0;
    }
  });
});
