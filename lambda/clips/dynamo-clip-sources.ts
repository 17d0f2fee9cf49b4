import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  IndexTable,
  SortKeyPrefix,
  checksumSortKey,
  decodePackedSegments,
  padMs,
  packObjectKey,
  packSortKey,
  parsePackName,
  segmentKey,
  type PackChecksumsItem,
  type PackItem,
} from '../../contract/index.ts';
import type { SegmentIndex } from '../index/segment-index.ts';
import type { ClipSourceIndex, ClipSourceSegment } from './clip-sources.ts';

const PK = IndexTable.PARTITION_KEY;
const SK = IndexTable.SORT_KEY;
/** What the clip reads of a hot segment's item (`container` absent means TS). */
interface HotFields {
  checksumSha256?: string;
  objectKey?: string;
  container?: string;
}

/** A segment starting this long before the range can still overlap it (longer than any TARGETDURATION, 60 s). */
const LOOKBACK_MS = 60_000;

/**
 * ClipSourceIndex over the index table: which segments (SegmentIndex.querySegments, packs
 * and hot items merged as playlists see them, every pack visible), then the checksums:
 * segment items' checksumSha256 for hot segments, and each pack's checksums item (pack
 * order) for packed ones.
 */
export function dynamoClipSources(client: DynamoDBClient, tableName: string, index: SegmentIndex): ClipSourceIndex {
  const doc = DynamoDBDocumentClient.from(client);

  async function hotItems(deviceId: string, startMs: number, endMs: number): Promise<Map<number, HotFields>> {
    const out = new Map<number, HotFields>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#c': 'checksumSha256', '#o': 'objectKey', '#s': 'startMs', '#k': 'container' },
          ExpressionAttributeValues: { ':pk': deviceId, ':lo': `${SortKeyPrefix.SEGMENT}${padMs(startMs)}`, ':hi': `${SortKeyPrefix.SEGMENT}${padMs(endMs)}` },
          ProjectionExpression: '#c, #o, #s, #k',
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const it of page.Items ?? []) out.set(Number(it.startMs), it as HotFields);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /** startMs -> checksum of every segment of one pack. */
  async function packSums(deviceId: string, name: string): Promise<{ objectKey: string; sums: Map<number, string | undefined> }> {
    const ref = parsePackName(name);
    const [pack, sums] = await Promise.all([
      doc.send(new GetCommand({ TableName: tableName, Key: { [PK]: deviceId, [SK]: packSortKey(ref.hourMs, ref.packNo) } })),
      doc.send(new GetCommand({ TableName: tableName, Key: { [PK]: deviceId, [SK]: checksumSortKey(ref.hourMs, ref.packNo, ref.digest) } })),
    ]);
    const p = pack.Item as PackItem | undefined;
    const c = sums.Item as PackChecksumsItem | undefined;
    const out = new Map<number, string | undefined>();
    if (p)
      for (const s of decodePackedSegments(p.hourMs, new Uint8Array(p.segs), p.keys, p.formats, c ? new Uint8Array(c.sums) : undefined))
        out.set(s.startMs, s.checksumSha256);
    return { objectKey: p?.objectKey ?? packObjectKey(deviceId, ref), sums: out };
  }

  return {
    async segments(deviceId, startMs, endMs) {
      const page = await index.querySegments(deviceId, Math.max(0, startMs - LOOKBACK_MS), endMs);
      const chosen = page.items.filter((s) => s.startMs + s.durationMs > startMs && s.startMs < endMs);
      const hot = chosen.some((s) => !s.pack) ? await hotItems(deviceId, Math.max(0, startMs - LOOKBACK_MS), endMs) : new Map<number, HotFields>();
      const packs = new Map<string, Promise<{ objectKey: string; sums: Map<number, string | undefined> }>>();
      const out: ClipSourceSegment[] = [];
      for (const s of chosen) {
        // An fMP4 segment names its init section (hot: in its summary; packed: in the pack's format entry).
        const base = {
          startMs: s.startMs,
          durationMs: s.durationMs,
          seq: s.seq,
          discSeq: s.discSeq,
          keyId: s.keyId,
          iv: s.iv,
          container: s.initId !== undefined ? 'fmp4' : 'ts',
          ...(s.initId !== undefined ? { initId: s.initId } : {}),
        };
        if (s.pack) {
          let p = packs.get(s.pack.name);
          if (!p) packs.set(s.pack.name, (p = packSums(deviceId, s.pack.name)));
          const { objectKey, sums } = await p;
          out.push({
            ...base,
            location: { kind: 'pack', objectKey, offset: s.pack.offset, length: s.pack.length },
            checksumSha256: sums.get(s.startMs),
          });
        } else {
          const item = hot.get(s.startMs);
          out.push({
            ...base,
            container: item?.container ?? base.container,
            location: { kind: 'hot', objectKey: item?.objectKey ?? segmentKey({ deviceId, startMs: s.startMs, seq: s.seq }) },
            checksumSha256: item?.checksumSha256,
          });
        }
      }
      return out;
    },
  };
}
