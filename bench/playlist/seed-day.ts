import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  HourStatus,
  hourSortKey,
  packDigest,
  packName,
  toPackItems,
  toSegmentItem,
  ttlFor,
  type PackedSegment,
  type SegmentItem,
} from '../../contract/index.ts';

export const HOUR_MS = 3_600_000;
const SEGMENTS_PER_HOUR = 600;
const BATCH_ITEMS = 25;
const BATCHES_IN_FLIGHT = 8;

/** `count` segment items of `segmentMs` for `camera` from `startMs` on, as the indexer writes them (1080p, 4.5 MB each). */
export function daySegmentItems(camera: string, startMs: number, count: number, segmentMs: number): SegmentItem[] {
  const keyId = randomBytes(16).toString('hex');
  const items: SegmentItem[] = [];
  for (let i = 0; i < count; i++) {
    const s = startMs + i * segmentMs;
    items.push(
      toSegmentItem(
        camera,
        {
          startMs: s,
          durationMs: segmentMs,
          seq: 1000 + i,
          discSeq: 1,
          keyId,
          iv: randomBytes(16).toString('hex'),
          codecs: 'avc1.64001f,mp4a.40.2',
          width: 1920,
          height: 1080,
        },
        `segments/${camera}/x/${s}-${1000 + i}.ts`,
        4_500_000,
        30,
      ),
    );
  }
  return items;
}

/**
 * The same segments for `packedCamera`, plus one pack per hour, indexed 70 min after each
 * hour began: its segment items (not yet expired), pack and checksum items, hour items.
 */
export function packedDayItems(packedCamera: string, items: readonly SegmentItem[], startMs: number): Record<string, unknown>[] {
  const packed: Record<string, unknown>[] = items.map((it) => ({ ...it, deviceId: packedCamera }));
  for (let h = 0; h < items.length / SEGMENTS_PER_HOUR; h++) {
    const hourMs = startMs + h * HOUR_MS;
    let offset = 0;
    const segs: PackedSegment[] = items.slice(h * SEGMENTS_PER_HOUR, (h + 1) * SEGMENTS_PER_HOUR).map((it) => {
      const p: PackedSegment = { ...it, offset, length: it.sizeBytes, checksumSha256: randomBytes(32).toString('base64') };
      offset += it.sizeBytes;
      return p;
    });
    const ref = { kind: 'continuous' as const, hourMs, packNo: 0, digest: packDigest(segs) };
    const { pack, checksums } = toPackItems(packedCamera, ref, segs, {
      objectKey: `packs/continuous/${packedCamera}/${packName(ref)}`,
      storageClass: 'STANDARD_IA',
      packedAtMs: hourMs + 70 * 60_000,
      retentionDays: 30,
    });
    packed.push(pack as unknown as Record<string, unknown>, checksums as unknown as Record<string, unknown>);
    packed.push({ deviceId: packedCamera, sk: hourSortKey(hourMs), hourMs, status: HourStatus.PACKED, rev: 1, unpackable: 0, ttl: ttlFor(hourMs, 31) });
  }
  return packed;
}

/** Writes `items` to `table` in BatchWrites of 25, eight in flight. */
export async function batchWriteAll(doc: DynamoDBDocumentClient, table: string, items: readonly object[]): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH_ITEMS * BATCHES_IN_FLIGHT) {
    const group: object[][] = [];
    for (let j = i; j < Math.min(items.length, i + BATCH_ITEMS * BATCHES_IN_FLIGHT); j += BATCH_ITEMS) group.push(items.slice(j, j + BATCH_ITEMS));
    await Promise.all(group.map((b) => doc.send(new BatchWriteCommand({ RequestItems: { [table]: b.map((Item) => ({ PutRequest: { Item } })) } }))));
  }
}
