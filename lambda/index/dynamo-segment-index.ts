import { ConditionalCheckFailedException, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  EVENT_MAX_DURATION_MS,
  eventEndBoundMs,
  IndexTable,
  OpenHoursIndex,
  PACK_PERIOD_MS,
  SortKeyPrefix,
  HourStatus,
  decodePackedSegments,
  hourSortKey,
  openShardFor,
  packSortKey,
  packHourOf,
  padMs,
  segmentSortKey,
  unpackSegmentSummary,
  type DeviceStateItem,
  type SegmentItem,
  type EventItem,
  type PackItem,
} from '../../contract/index.ts';
import { inParallel, readHourViews } from './dynamo-hour-reader.ts';
import { hotRanges, mergeHistory } from './merge-history.ts';
import { packedSegmentFormat } from './packed-format.ts';
import { rawQuery } from './raw-query.ts';
import { type HistoryView, type PutOutcome, type SegmentIndex, type SegmentPage, type SegmentSummary } from './segment-index.ts';

const PK = IndexTable.PARTITION_KEY;
const SK = IndexTable.SORT_KEY;

/** Ranges longer than this are read as parallel Queries over slices of this length. */
const PARALLEL_SLICE_MS = 60 * 60 * 1000;
const PARALLEL_QUERIES = 6;
/** A paged read (the timeline) goes through history this much at a time, stopping once it has a page. */
const PAGED_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface DynamoSegmentIndexOptions {
  /** The pack hour (local mode packs shorter ones for its demo). @default 1 h */
  readonly packPeriodMs?: number;
}

/**
 * SegmentIndex over the DynamoDB table from contract/index-table.ts. Items are written
 * with `attribute_not_exists(sk)` (first write wins, a replay is a no-op); the state item
 * moves only to a higher seq. Reads are Queries on the device's partition; sort keys hold
 * zero-padded start times, so a time range is one BETWEEN. History is read hour by hour:
 * packed hours from their hour and pack items (one Query for several hours), hot ones
 * from their segment items.
 */
export function dynamoSegmentIndex(client: DynamoDBClient, tableName: string, options: DynamoSegmentIndexOptions = {}): SegmentIndex {
  const periodMs = options.packPeriodMs ?? PACK_PERIOD_MS;
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  async function putOnce(item: object): Promise<PutOutcome> {
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: item as Record<string, unknown>,
          ConditionExpression: 'attribute_not_exists(#sk)',
          ExpressionAttributeNames: { '#sk': SK },
        }),
      );
      return 'created';
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException') return 'exists';
      throw e;
    }
  }

  /** Runs a Query to the end (or `max` items), following LastEvaluatedKey. */
  async function queryAll<T>(input: QueryCommandInput, max = Number.POSITIVE_INFINITY): Promise<T[]> {
    const out: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const remaining = max - out.length;
      const page = await doc.send(
        new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}), ...(Number.isFinite(remaining) ? { Limit: remaining } : {}) }),
      );
      for (const item of page.Items ?? []) out.push(item as T);
      startKey = page.LastEvaluatedKey;
    } while (startKey && out.length < max);
    return out;
  }

  /** Reads only the packed summary playlists and the timeline use (see contract/index-item.ts). */
  const summary = { ProjectionExpression: '#summary, #indexed', names: { '#summary': 'summary', '#indexed': 'indexedMs' } };
  /** Fallback for items written before the packed summary existed: the separate fields too. */
  const FIELDS = ['startMs', 'durationMs', 'seq', 'discSeq', 'keyId', 'iv'] as const;
  const fullSummary = {
    ProjectionExpression: [summary.ProjectionExpression, ...FIELDS.map((_, i) => `#f${i}`)].join(', '),
    names: { ...summary.names, ...Object.fromEntries(FIELDS.map((f, i) => [`#f${i}`, f])) },
  };
  const fromFields = (it: Record<string, AttributeValue>): SegmentSummary | undefined =>
    it.startMs?.N && it.seq?.N
      ? {
          startMs: Number(it.startMs.N),
          durationMs: Number(it.durationMs?.N),
          seq: Number(it.seq.N),
          discSeq: Number(it.discSeq?.N),
          keyId: it.keyId?.S ?? '',
          iv: it.iv?.S ?? '',
        }
      : undefined;

  /**
   * Segment summaries through the low-level client, one packed string per item: for
   * 14,400 items this is several times cheaper than the document client's unmarshalling.
   */
  async function querySummaries(input: QueryCommandInput, max = Number.POSITIVE_INFINITY, full = false): Promise<SegmentSummary[]> {
    const projection = full ? fullSummary : summary;
    const out: SegmentSummary[] = [];
    const values: Record<string, AttributeValue> = {};
    for (const [k, v] of Object.entries(input.ExpressionAttributeValues ?? {})) values[k] = typeof v === 'number' ? { N: String(v) } : { S: String(v) };
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const remaining = max - out.length;
      const page = await rawQuery(client, {
        TableName: input.TableName,
        KeyConditionExpression: input.KeyConditionExpression,
        ProjectionExpression: projection.ProjectionExpression,
        ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...projection.names },
        ExpressionAttributeValues: values,
        ...(input.ScanIndexForward === false ? { ScanIndexForward: false } : {}),
        ...(input.ConsistentRead ? { ConsistentRead: true } : {}),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        ...(Number.isFinite(remaining) ? { Limit: remaining } : {}),
      });
      for (const it of page.Items) {
        const s: SegmentSummary | undefined = unpackSegmentSummary(it.summary?.S ?? '') ?? (full ? fromFields(it) : undefined);
        if (s && it.indexedMs?.N !== undefined) s.indexedMs = Number(it.indexedMs.N);
        if (s) out.push(s);
        else if (!full) return querySummaries(input, max, true);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && out.length < max);
    return out;
  }

  const between = (lo: string, hi: string): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> => ({
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
    ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
    ExpressionAttributeValues: { ':lo': lo, ':hi': hi },
  });

  return {
    putSegment: (item) => putOnce(item),
    putEvent: (item) => putOnce(item),
    putKey: (item) => putOnce(item),

    async advanceState(deviceId, u) {
      const heard = u.heardMs !== undefined ? ', lastHeardMs = :heard, lastSegmentHeardMs = :heard' : '';
      const hour = u.hourMs !== undefined ? ', packHourMs = :hour' : '';
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { [PK]: deviceId, [SK]: SortKeyPrefix.STATE },
            UpdateExpression: `SET lastSeenMs = :seen, lastSeq = :seq, lastDiscSeq = :disc, lastKeyId = :key${heard}${hour}`,
            ConditionExpression: 'attribute_not_exists(lastSeq) OR lastSeq < :seq',
            ExpressionAttributeValues: {
              ':seen': u.seenMs,
              ':seq': u.seq,
              ':disc': u.discSeq,
              ':key': u.keyId,
              ...(u.heardMs !== undefined ? { ':heard': u.heardMs } : {}),
              ...(u.hourMs !== undefined ? { ':hour': u.hourMs } : {}),
            },
            // The state before comes back with the write itself (the pack hour it named, too): no read per segment.
            ReturnValues: 'ALL_OLD',
          }),
        );
        return { previous: out.Attributes as DeviceStateItem | undefined };
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException') return 'stale';
        throw e;
      }
    },

    async registerHour(deviceId, hourMs, r) {
      const recheck = r.recheckStartMs === undefined ? undefined : new Set([r.recheckStartMs]);
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: deviceId, [SK]: hourSortKey(hourMs) },
          UpdateExpression: `SET #st = :open, hourMs = :hour, #shard = :shard, #due = :due, #ttl = if_not_exists(#ttl, :ttl) ADD rev :one${recheck ? ', recheck :re' : ''}`,
          ExpressionAttributeNames: {
            '#st': 'status',
            '#shard': OpenHoursIndex.PARTITION_KEY,
            '#due': OpenHoursIndex.SORT_KEY,
            '#ttl': IndexTable.TTL_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':open': HourStatus.OPEN,
            ':hour': hourMs,
            ':shard': openShardFor(deviceId),
            ':due': r.dueMs,
            ':ttl': r.ttl,
            ':one': 1,
            ...(recheck ? { ':re': recheck } : {}),
          },
        }),
      );
    },

    async getState(deviceId) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { [PK]: deviceId, [SK]: SortKeyPrefix.STATE } }));
      return out.Item as DeviceStateItem | undefined;
    },

    async querySegments(deviceId, startMs, endMs, limit, view: HistoryView = {}): Promise<SegmentPage> {
      if (endMs <= startMs) return { items: [] };
      const slice = (lo: number, hi: number) => {
        const q = between(`${SortKeyPrefix.SEGMENT}${padMs(lo)}`, `${SortKeyPrefix.SEGMENT}${padMs(hi - 1)}`);
        return querySummaries({ TableName: tableName, ...q, ExpressionAttributeValues: { ...q.ExpressionAttributeValues, ':pk': deviceId } });
      };
      /** Segment items of [lo, hi), hour slices side by side (an unpacked 24 h is ~14,400 items over several 1 MB pages). */
      const hot = async (lo: number, hi: number): Promise<SegmentSummary[]> => {
        const tasks: (() => Promise<SegmentSummary[]>)[] = [];
        for (let a = lo; a < hi; a += PARALLEL_SLICE_MS) tasks.push(() => slice(a, Math.min(a + PARALLEL_SLICE_MS, hi)));
        return (await inParallel(tasks, PARALLEL_QUERIES)).flat();
      };
      const window = async (lo: number, hi: number): Promise<SegmentSummary[]> => {
        const hours = await readHourViews(client, tableName, deviceId, packHourOf(lo, periodMs), packHourOf(hi - 1, periodMs), periodMs);
        const ranges = hotRanges(hours, periodMs, lo, hi, view);
        const segments = (await Promise.all(ranges.map(([a, b]) => hot(a, b)))).flat();
        return mergeHistory(lo, hi, segments, hours.values(), view);
      };
      const items: SegmentSummary[] = [];
      const step = limit === undefined ? endMs - startMs : PAGED_WINDOW_MS;
      for (let lo = startMs; lo < endMs && (limit === undefined || items.length <= limit); lo += step) {
        for (const s of await window(lo, Math.min(endMs, lo + step))) items.push(s);
      }
      if (limit !== undefined && items.length > limit) return { items: items.slice(0, limit), nextStartMs: items[limit]!.startMs };
      return { items };
    },

    async newestSegments(deviceId, count) {
      const items = await querySummaries(
        {
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': deviceId, ':prefix': SortKeyPrefix.SEGMENT },
          ScanIndexForward: false,
          // LIVE reads are strongly consistent, so a later poll never sees an older window.
          ConsistentRead: true,
        },
        count,
      );
      return items.reverse();
    },

    async segmentFormat(deviceId, atMs) {
      const after = atMs !== undefined;
      const [hot, packed] = await Promise.all([
        doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: after ? '#pk = :pk AND #sk BETWEEN :lo AND :hi' : '#pk = :pk AND begins_with(#sk, :lo)',
            ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#c': 'codecs', '#w': 'width', '#h': 'height', '#k': 'container', '#s': 'startMs' },
            ExpressionAttributeValues: {
              ':pk': deviceId,
              ':lo': after ? segmentSortKey(atMs) : SortKeyPrefix.SEGMENT,
              ...(after ? { ':hi': `${SortKeyPrefix.SEGMENT}~` } : {}),
            },
            ProjectionExpression: '#c, #w, #h, #k, #s',
            ScanIndexForward: after,
            Limit: 1,
          }),
        ),
        // Segment items of packed hours expire by TTL: history's format is in its pack items.
        after ? packedSegmentFormat(doc, tableName, periodMs, deviceId, atMs) : undefined,
      ]);
      const it = hot.Items?.[0] as Pick<SegmentItem, 'codecs' | 'width' | 'height' | 'container' | 'startMs'> | undefined;
      if (packed && (!it || packed.startMs <= it.startMs)) return packed.format;
      return it && { codecs: it.codecs, width: it.width, height: it.height, container: it.container ?? 'ts' };
    },

    async getPack(deviceId, hourMs, packNo) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { [PK]: deviceId, [SK]: packSortKey(hourMs, packNo) } }));
      const p = out.Item as PackItem | undefined;
      return p && { digest: p.digest, segments: decodePackedSegments(p.hourMs, new Uint8Array(p.segs), p.keys, p.formats) };
    },

    async queryEvents(deviceId, startMs, endMs) {
      // Events are keyed by start; one that began up to 24 h earlier may still overlap (an
      // open one has no end yet: it overlaps up to its maximum end).
      const q = between(`${SortKeyPrefix.EVENT}${padMs(Math.max(0, startMs - EVENT_MAX_DURATION_MS))}`, `${SortKeyPrefix.EVENT}${padMs(endMs)}`);
      const items = await queryAll<EventItem>({ TableName: tableName, ...q, ExpressionAttributeValues: { ...q.ExpressionAttributeValues, ':pk': deviceId } });
      return items.filter((e) => eventEndBoundMs(e) > startMs && e.startMs < endMs);
    },
  };
}
