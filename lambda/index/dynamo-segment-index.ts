import { ConditionalCheckFailedException, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { EVENT_MAX_DURATION_MS, eventEndBoundMs, IndexTable, SortKeyPrefix, padMs, unpackSegmentSummary, type DeviceStateItem, type EventItem } from '../../contract/index.ts';
import { rawQuery } from './raw-query.ts';
import { type PutOutcome, type SegmentIndex, type SegmentPage, type SegmentSummary } from './segment-index.ts';

const PK = IndexTable.PARTITION_KEY;
const SK = IndexTable.SORT_KEY;

/** Ranges longer than this are read as parallel Queries over slices of this length. */
const PARALLEL_SLICE_MS = 60 * 60 * 1000;
const PARALLEL_QUERIES = 6;

/** Runs `tasks` with at most `limit` in flight; results in task order. */
async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
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

/**
 * SegmentIndex over the DynamoDB table from contract/index-table.ts. Items are written
 * with `attribute_not_exists(sk)` (first write wins, a replay is a no-op); the state item
 * moves only to a higher seq. Reads are Queries on the device's partition; sort keys hold
 * zero-padded start times, so a time range is one BETWEEN.
 */
export function dynamoSegmentIndex(client: DynamoDBClient, tableName: string): SegmentIndex {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  async function putOnce(item: object): Promise<PutOutcome> {
    try {
      await doc.send(new PutCommand({ TableName: tableName, Item: item as Record<string, unknown>, ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': SK } }));
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
      const page = await doc.send(new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}), ...(Number.isFinite(remaining) ? { Limit: remaining } : {}) }));
      for (const item of page.Items ?? []) out.push(item as T);
      startKey = page.LastEvaluatedKey;
    } while (startKey && out.length < max);
    return out;
  }

  /** Reads only the packed summary playlists and the timeline use (see contract/index-item.ts). */
  const summary = { ProjectionExpression: '#summary', names: { '#summary': 'summary' } };
  /** Fallback for items written before the packed summary existed: the separate fields too. */
  const FIELDS = ['startMs', 'durationMs', 'seq', 'discSeq', 'keyId', 'iv'] as const;
  const fullSummary = {
    ProjectionExpression: ['#summary', ...FIELDS.map((_, i) => `#f${i}`)].join(', '),
    names: { '#summary': 'summary', ...Object.fromEntries(FIELDS.map((f, i) => [`#f${i}`, f])) },
  };
  const fromFields = (it: Record<string, AttributeValue>): SegmentSummary | undefined =>
    it.startMs?.N && it.seq?.N
      ? { startMs: Number(it.startMs.N), durationMs: Number(it.durationMs?.N), seq: Number(it.seq.N), discSeq: Number(it.discSeq?.N), keyId: it.keyId?.S ?? '', iv: it.iv?.S ?? '' }
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
        const s = unpackSegmentSummary(it.summary?.S ?? '') ?? (full ? fromFields(it) : undefined);
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
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { [PK]: deviceId, [SK]: SortKeyPrefix.STATE },
            UpdateExpression: `SET lastSeenMs = :seen, lastSeq = :seq, lastDiscSeq = :disc, lastKeyId = :key${heard}`,
            ConditionExpression: 'attribute_not_exists(lastSeq) OR lastSeq < :seq',
            ExpressionAttributeValues: { ':seen': u.seenMs, ':seq': u.seq, ':disc': u.discSeq, ':key': u.keyId, ...(u.heardMs !== undefined ? { ':heard': u.heardMs } : {}) },
            ReturnValues: 'ALL_OLD',
          }),
        );
        return { previous: out.Attributes as DeviceStateItem | undefined };
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException') return 'stale';
        throw e;
      }
    },

    async getState(deviceId) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { [PK]: deviceId, [SK]: SortKeyPrefix.STATE } }));
      return out.Item as DeviceStateItem | undefined;
    },

    async querySegments(deviceId, startMs, endMs, limit): Promise<SegmentPage> {
      if (endMs <= startMs) return { items: [] };
      const slice = (lo: number, hi: number, max?: number) => {
        const q = between(`${SortKeyPrefix.SEGMENT}${padMs(lo)}`, `${SortKeyPrefix.SEGMENT}${padMs(hi - 1)}`);
        return querySummaries({ TableName: tableName, ...q, ExpressionAttributeValues: { ...q.ExpressionAttributeValues, ':pk': deviceId } }, max);
      };
      if (limit === undefined && endMs - startMs > 2 * PARALLEL_SLICE_MS) {
        // A 24 h playlist is ~14,400 items over several 1 MB pages: read hour slices side by side.
        const tasks: (() => Promise<SegmentSummary[]>)[] = [];
        for (let lo = startMs; lo < endMs; lo += PARALLEL_SLICE_MS) tasks.push(() => slice(lo, Math.min(lo + PARALLEL_SLICE_MS, endMs)));
        return { items: (await inParallel(tasks, PARALLEL_QUERIES)).flat() };
      }
      const items = await slice(startMs, endMs, limit === undefined ? undefined : limit + 1);
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

    async queryEvents(deviceId, startMs, endMs) {
      // Events are keyed by start; one that began up to 24 h earlier may still overlap (an
      // open one has no end yet: it overlaps up to its maximum end).
      const q = between(`${SortKeyPrefix.EVENT}${padMs(Math.max(0, startMs - EVENT_MAX_DURATION_MS))}`, `${SortKeyPrefix.EVENT}${padMs(endMs)}`);
      const items = await queryAll<EventItem>({ TableName: tableName, ...q, ExpressionAttributeValues: { ...q.ExpressionAttributeValues, ':pk': deviceId } });
      return items.filter((e) => eventEndBoundMs(e) > startMs && e.startMs < endMs);
    },
  };
}
