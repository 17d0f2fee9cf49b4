import { GetObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HourStatus } from '../../../contract/index.ts';
import { BUCKET, HOUR_MS, PackingHarness, type HarnessSegment } from '../support/packing-harness.ts';

let h: PackingHarness;
beforeAll(async () => {
  h = await PackingHarness.start();
});
afterAll(async () => h?.close());

const pastHour = (hoursAgo: number) => Math.floor(Date.now() / HOUR_MS) * HOUR_MS - hoursAgo * HOUR_MS;

/** The sweep as the cloud runs it: the hour, if it is due, handed to the packer. */
async function sweepAndPack(deviceId: string, hourMs: number) {
  const jobs: { deviceId: string; hourMs: number }[] = [];
  await h.sweeper(async (job) => void jobs.push(job)).sweep();
  const packer = h.packer();
  return Promise.all(jobs.filter((j) => j.deviceId === deviceId && j.hourMs === hourMs).map((j) => packer.packHour(j)));
}

/** Start times of the hour's segments as a playlist reads them (packed ranges and hot items). */
async function listed(deviceId: string, hourMs: number): Promise<number[]> {
  return (await h.index.querySegments(deviceId, hourMs, hourMs + HOUR_MS)).items.map((s) => s.startMs);
}

async function hotBytes(key: string): Promise<Buffer> {
  const out = await h.raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

/** Packs a closed hour of `count` segments with the drain over at once: the hot copies are gone. */
async function packedHour(deviceId: string, hourMs: number, count: number): Promise<HarnessSegment[]> {
  const segs = h.segments(deviceId, { startMs: hourMs, count, seq: 700 });
  // The camera's newest segment is of a later hour: a re-upload of this hour is an old seq.
  await h.upload([...h.segments(deviceId, { startMs: hourMs + 3 * HOUR_MS, count: 1, seq: 900 }), ...segs]);
  h.clockOffsetMs += h.packing.graceMs + 1000;
  const [report] = await sweepAndPack(deviceId, hourMs);
  expect(report).toMatchObject({ settled: true, deletedHot: count, unpackable: [] });
  for (const s of segs) expect(await h.exists(s.key)).toBe(false);
  return segs;
}

describe('a segment uploaded again after its hour was packed and its hot copy deleted (agent killed before its spool entry went)', () => {
  it('the same bytes again: the follow-up run deletes the redundant hot copy, the pack keeps the only copy, the playlist lists it once', async () => {
    const hourMs = pastHour(5);
    const segs = await packedHour('cam-reup', hourMs, 6);
    const again = segs[3]!;
    // The restarted agent PUTs the same key and bytes through the same path (If-None-Match: *, checksum): S3 takes it.
    await h.upload([again]);
    expect(h.indexErrors).toEqual([]);
    expect(await h.exists(again.key)).toBe(true);
    expect(await listed('cam-reup', hourMs)).toEqual(segs.map((s) => s.meta.startMs));
    // The S3 event delivered twice changes nothing.
    await h.indexObjectAgain(again.key);
    h.clockOffsetMs += h.packing.graceMs + 1000;
    const [report] = await sweepAndPack('cam-reup', hourMs);
    // One copy in the bucket: the pack's.
    expect(await h.exists(again.key)).toBe(false);
    expect(report).toMatchObject({ settled: true, packs: [], redundantDeleted: 1, reuploadsKept: [], reuploadReads: 1 });
    expect(await listed('cam-reup', hourMs)).toEqual(segs.map((s) => s.meta.startMs));
    const hour = await h.history.getHour('cam-reup', hourMs);
    expect(hour).toMatchObject({ status: HourStatus.PACKED });
    expect(hour!.dueMs).toBeUndefined();
    // Nothing is left due: the next sweep has nothing for this camera.
    h.clockOffsetMs += h.packing.graceMs + 1000;
    expect(await sweepAndPack('cam-reup', hourMs)).toEqual([]);
  });

  it('different bytes under the same key: kept hot and reported, never deleted; the playlist still lists the seq once (from the pack)', async () => {
    const hourMs = pastHour(7);
    const segs = await packedHour('cam-reup-diff', hourMs, 4);
    const other: HarnessSegment = { ...segs[1]!, body: randomBytes(segs[1]!.body.length) };
    await h.upload([other]);
    h.clockOffsetMs += h.packing.graceMs + 1000;
    const [report] = await sweepAndPack('cam-reup-diff', hourMs);
    expect(report).toMatchObject({ settled: true, redundantDeleted: 0, reuploadReads: 1 });
    expect(report!.reuploadsKept).toEqual([{ objectKey: other.key, reason: expect.stringMatching(/differs from the packed copy/) }]);
    expect((await hotBytes(other.key)).equals(other.body)).toBe(true);
    expect(await listed('cam-reup-diff', hourMs)).toEqual(segs.map((s) => s.meta.startMs));
  });
});
