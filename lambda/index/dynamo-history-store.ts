import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  IndexTable,
  OpenHoursIndex,
  SortKeyPrefix,
  checksumSortKey,
  hourSortKey,
  openShardFor,
  packSortKey,
  padMs,
  type HourItem,
  type PackChecksumsItem,
  type PackItem,
  type SegmentItem,
} from '../../contract/index.ts';
import type { DueHour, HistoryStore } from './history-store.ts';

const PK = IndexTable.PARTITION_KEY;
const SK = IndexTable.SORT_KEY;
const conditionFailed = (e: unknown): boolean => e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException';

/** HistoryStore over the index table and its open-hours index. Reads of one hour are strongly consistent. */
export function dynamoHistoryStore(client: DynamoDBClient, tableName: string): HistoryStore {
  // Pack items hold their segment records as a Binary attribute: Uint8Array in, Uint8Array out.
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  async function queryAll<T>(input: QueryCommandInput): Promise<T[]> {
    const out: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      for (const item of page.Items ?? []) out.push(item as T);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  const between = (deviceId: string, lo: string, hi: string): QueryCommandInput => ({
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
    ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
    ExpressionAttributeValues: { ':pk': deviceId, ':lo': lo, ':hi': hi },
    ConsistentRead: true,
  });

  return {
    async getHour(deviceId, hourMs) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { [PK]: deviceId, [SK]: hourSortKey(hourMs) }, ConsistentRead: true }));
      return out.Item as HourItem | undefined;
    },

    hourSegments: (deviceId, hourMs, periodMs) =>
      queryAll<SegmentItem>(between(deviceId, `${SortKeyPrefix.SEGMENT}${padMs(hourMs)}`, `${SortKeyPrefix.SEGMENT}${padMs(hourMs + periodMs - 1)}`)),

    async hourPacks(deviceId, hourMs) {
      const items = await queryAll<PackItem>(between(deviceId, packSortKey(hourMs, 0), packSortKey(hourMs, 9999)));
      return items.map((p) => ({ ...p, segs: new Uint8Array(p.segs) }));
    },

    async putPack(item, checksums) {
      await doc.send(new PutCommand({ TableName: tableName, Item: checksums as unknown as Record<string, unknown> }));
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: item as unknown as Record<string, unknown>,
            ConditionExpression: 'attribute_not_exists(#sk)',
            ExpressionAttributeNames: { '#sk': SK },
          }),
        );
        return 'created';
      } catch (e) {
        if (conditionFailed(e)) return 'exists';
        throw e;
      }
    },

    async packChecksums(deviceId, hourMs, packNo, digest) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: { [PK]: deviceId, [SK]: checksumSortKey(hourMs, packNo, digest) }, ConsistentRead: true }),
      );
      const item = out.Item as PackChecksumsItem | undefined;
      return item && { ...item, sums: new Uint8Array(item.sums) };
    },

    async markDrained(deviceId, hourMs, packNo) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: deviceId, [SK]: packSortKey(hourMs, packNo) },
          UpdateExpression: 'SET drained = :t',
          ConditionExpression: 'attribute_exists(#sk)',
          ExpressionAttributeNames: { '#sk': SK },
          ExpressionAttributeValues: { ':t': true },
        }),
      );
    },

    async settleHour(deviceId, hourMs, s) {
      const names: Record<string, string> = { '#st': 'status', '#shard': OpenHoursIndex.PARTITION_KEY, '#due': OpenHoursIndex.SORT_KEY };
      const values: Record<string, unknown> = { ':st': s.status, ':rev': s.rev, ':u': s.unpackable };
      let update: string;
      if (s.dueMs !== undefined) {
        update = 'SET #st = :st, unpackable = :u, #shard = :shard, #due = :due REMOVE leaseUntilMs, recheck';
        values[':shard'] = openShardFor(deviceId);
        values[':due'] = s.dueMs;
      } else {
        // No work left: the item leaves the sparse open-hours index.
        update = 'SET #st = :st, unpackable = :u REMOVE #shard, #due, leaseUntilMs, recheck';
      }
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { [PK]: deviceId, [SK]: hourSortKey(hourMs) },
            UpdateExpression: update,
            ConditionExpression: 'rev = :rev',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (e) {
        if (conditionFailed(e)) return false;
        throw e;
      }
    },

    async dueHours(shard, nowMs, limit): Promise<DueHour[]> {
      const out = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: OpenHoursIndex.NAME,
          KeyConditionExpression: '#shard = :shard AND #due <= :now',
          ExpressionAttributeNames: { '#shard': OpenHoursIndex.PARTITION_KEY, '#due': OpenHoursIndex.SORT_KEY },
          ExpressionAttributeValues: { ':shard': shard, ':now': nowMs },
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((it) => ({
        deviceId: it[PK] as string,
        hourMs: Number(String(it[SK]).slice(SortKeyPrefix.HOUR.length)),
        dueMs: it[OpenHoursIndex.SORT_KEY] as number,
      }));
    },

    async claimHour(deviceId, hourMs, nowMs, leaseUntilMs) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { [PK]: deviceId, [SK]: hourSortKey(hourMs) },
            UpdateExpression: 'SET leaseUntilMs = :lease',
            ConditionExpression: 'attribute_exists(#due) AND #due <= :now AND (attribute_not_exists(leaseUntilMs) OR leaseUntilMs <= :now)',
            ExpressionAttributeNames: { '#due': OpenHoursIndex.SORT_KEY },
            ExpressionAttributeValues: { ':now': nowMs, ':lease': leaseUntilMs },
          }),
        );
        return true;
      } catch (e) {
        if (conditionFailed(e)) return false;
        throw e;
      }
    },
  };
}
