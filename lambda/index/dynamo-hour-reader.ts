import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HourStatus, IndexTable, forEachPackedRecord, hourSortKey, initIdOfFormat, hourSortKeyEnd, packName, type PackKind } from '../../contract/index.ts';
import type { HourView, PackView } from './merge-history.ts';
import { rawQuery } from './raw-query.ts';
import type { SegmentSummary } from './segment-index.ts';

/** Time one Query covers: a 24 h range is four Queries side by side, each about one 1 MB page of hour and pack items. */
const QUERY_SPAN_MS = 6 * 60 * 60 * 1000;
const PARALLEL_QUERIES = 6;
const PACK_SK_RE = /#pack#\d{4}$/;

/** Runs `tasks` with at most `limit` in flight; results in task order. */
export async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}

const num = (v: AttributeValue | undefined): number => Number(v?.N);
const strings = (v: AttributeValue | undefined): string[] => (v?.L ?? []).map((x) => x.S ?? '');
/** A Binary attribute as the JSON protocol sends it (base64 text), or as the SDK parsed it (bytes). */
const bytes = (v: AttributeValue | undefined): Uint8Array => {
  const b = v?.B as unknown;
  if (b instanceof Uint8Array) return b;
  return typeof b === 'string' ? Buffer.from(b, 'base64') : new Uint8Array();
};

function toPackView(it: Record<string, AttributeValue>): PackView {
  const hourMs = num(it.hourMs);
  const ref = { kind: it.kind?.S as PackKind, hourMs, packNo: num(it.packNo), digest: it.digest?.S ?? '' };
  const name = packName(ref);
  // One summary object per segment, holding its pack location: what playlists and the timeline read.
  const segments: SegmentSummary[] = [];
  // fMP4 segments name their init section in the pack's format list (one entry per format, not per segment).
  const inits = strings(it.formats).map(initIdOfFormat);
  forEachPackedRecord(hourMs, bytes(it.segs), strings(it.keys), (startMs, durationMs, seq, discSeq, keyId, iv, offset, length, formatIndex) => {
    const initId = inits[formatIndex];
    segments.push(
      initId === undefined
        ? { startMs, durationMs, seq, discSeq, keyId, iv, pack: { name, offset, length } }
        : { startMs, durationMs, seq, discSeq, keyId, iv, initId, pack: { name, offset, length } },
    );
  });
  return { name, packedAtMs: num(it.packedAtMs), expiresAtMs: num(it[IndexTable.TTL_ATTRIBUTE]) * 1000, segments };
}

/**
 * The hour status items and pack items of one device for the pack hours
 * [firstHourMs, lastHourMs] (one Query per QUERY_SPAN_MS, side by side), keyed by
 * hour start. An hour with neither kind of item is absent from the map.
 */
export async function readHourViews(
  client: DynamoDBClient,
  tableName: string,
  deviceId: string,
  firstHourMs: number,
  lastHourMs: number,
  periodMs: number,
  o: { consistent?: boolean } = {},
): Promise<Map<number, HourView>> {
  const tasks: (() => Promise<Record<string, AttributeValue>[]>)[] = [];
  // Short local pack periods: many to a Query, so a day is still four Queries.
  const perQuery = Math.max(1, Math.floor(QUERY_SPAN_MS / periodMs));
  for (let lo = firstHourMs; lo <= lastHourMs; lo += perQuery * periodMs) {
    const hi = Math.min(lastHourMs, lo + (perQuery - 1) * periodMs);
    tasks.push(async () => {
      const items: Record<string, AttributeValue>[] = [];
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await rawQuery(client, {
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
          ExpressionAttributeNames: { '#pk': IndexTable.PARTITION_KEY, '#sk': IndexTable.SORT_KEY },
          ExpressionAttributeValues: { ':pk': { S: deviceId }, ':lo': { S: hourSortKey(lo) }, ':hi': { S: hourSortKeyEnd(hi) } },
          ...(o.consistent ? { ConsistentRead: true } : {}),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        });
        items.push(...page.Items);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    });
  }
  const hours = new Map<number, HourView>();
  const hourOf = (h: number): HourView => {
    let v = hours.get(h);
    if (!v) hours.set(h, (v = { hourMs: h, status: undefined, packs: [] }));
    return v;
  };
  for (const items of await inParallel(tasks, PARALLEL_QUERIES)) {
    for (const it of items) {
      const sk = it[IndexTable.SORT_KEY]?.S ?? '';
      if (PACK_SK_RE.test(sk)) {
        const p = toPackView(it);
        hourOf(num(it.hourMs)).packs.push(p);
      } else {
        const s = it.status?.S;
        hourOf(num(it.hourMs)).status = s === HourStatus.OPEN || s === HourStatus.PACKED ? s : undefined;
      }
    }
  }
  return hours;
}
