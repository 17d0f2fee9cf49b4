import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IndexTable, SortKeyPrefix, forEachPackedRecord, hourSortKey, packHourOf, type PackItem } from '../../contract/index.ts';
import type { SegmentFormat } from './segment-index.ts';

/** Items read after a pack hour's key (hour items, their packs): enough to reach the next pack of a recording camera. */
const LOOKAHEAD_ITEMS = 6;

/** A pack's format entry (`codecs|width|height`, then `|initId` for fMP4: see contract/pack-index.ts) as a session answer's format. */
export function formatOfPackEntry(entry: string | undefined): SegmentFormat | undefined {
  if (!entry) return undefined;
  const [codecs, width, height, initId] = entry.split('|');
  if (!codecs) return undefined;
  return { codecs, width: Number(width), height: Number(height), container: initId ? 'fmp4' : 'ts' };
}

/**
 * The format of the first packed segment from `atMs` on, from the pack items of its pack
 * hour and the next ones (one Query of a few items). Packed history is where a session
 * answer finds its codecs once the hour's segment items have expired by TTL.
 */
export async function packedSegmentFormat(
  doc: DynamoDBDocumentClient,
  tableName: string,
  periodMs: number,
  deviceId: string,
  atMs: number,
): Promise<{ startMs: number; format: SegmentFormat } | undefined> {
  const out = await doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
      FilterExpression: 'attribute_exists(#f)',
      ExpressionAttributeNames: { '#pk': IndexTable.PARTITION_KEY, '#sk': IndexTable.SORT_KEY, '#f': 'formats', '#g': 'segs', '#k': 'keys', '#hr': 'hourMs' },
      ExpressionAttributeValues: { ':pk': deviceId, ':lo': hourSortKey(packHourOf(atMs, periodMs)), ':hi': `${SortKeyPrefix.HOUR}~` },
      ProjectionExpression: '#f, #g, #k, #hr',
      Limit: LOOKAHEAD_ITEMS,
    }),
  );
  let best: { startMs: number; format: SegmentFormat } | undefined;
  for (const p of (out.Items ?? []) as Pick<PackItem, 'formats' | 'segs' | 'keys' | 'hourMs'>[]) {
    forEachPackedRecord(p.hourMs, new Uint8Array(p.segs), p.keys, (startMs, _duration, _seq, _disc, _key, _iv, _offset, _length, formatIndex) => {
      if (startMs < atMs || (best && best.startMs <= startMs)) return;
      const format = formatOfPackEntry(p.formats[formatIndex]);
      if (format) best = { startMs, format };
    });
  }
  return best;
}
