import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { eventSortKey, IndexTable, padMs, SortKeyPrefix, type EventItem } from '../../contract/index.ts';
import type { EventStore } from './event-store.ts';

const PK = IndexTable.PARTITION_KEY;
const SK = IndexTable.SORT_KEY;

const isConditionFailure = (e: unknown) => e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException';

/**
 * EventStore over the index table: one item per event at `evt#{startMs}#{eventId}`.
 * Start and end records are UpdateItems that set their own fields (the fields both carry
 * only if missing), so either may come first and replays change nothing; each answers
 * ALL_OLD. An inferred close is conditional on the event having no end yet.
 */
export function dynamoEventStore(client: DynamoDBClient, tableName: string): EventStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const key = (deviceId: string, sk: string) => ({ [PK]: deviceId, [SK]: sk });

  /** SET clauses for the fields both records carry: written by whichever comes first. */
  const shared = (v: { eventId: string; type: string; startMs: number; label?: string; ttl: number }) => {
    const sets = [
      'eventId = if_not_exists(eventId, :eventId)',
      '#type = if_not_exists(#type, :type)',
      'startMs = if_not_exists(startMs, :startMs)',
      '#ttl = if_not_exists(#ttl, :ttl)',
    ];
    const values: Record<string, unknown> = { ':eventId': v.eventId, ':type': v.type, ':startMs': v.startMs, ':ttl': v.ttl };
    if (v.label !== undefined) {
      sets.push('label = if_not_exists(label, :label)');
      values[':label'] = v.label;
    }
    return { sets, values, names: { '#type': 'type', '#ttl': IndexTable.TTL_ATTRIBUTE } };
  };

  async function update(
    deviceId: string,
    sk: string,
    expr: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
    condition?: string,
    returnNew = false,
  ): Promise<EventItem | undefined> {
    const out = await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key(deviceId, sk),
        UpdateExpression: expr,
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        ...(condition ? { ConditionExpression: condition } : {}),
        ReturnValues: returnNew ? 'ALL_NEW' : 'ALL_OLD',
      }),
    );
    return out.Attributes as EventItem | undefined;
  }

  return {
    async recordStart(s) {
      const c = shared(s);
      const sets = [...c.sets, 'objectKey = :objectKey', 'maxEndMs = :maxEndMs'];
      return update(s.deviceId, eventSortKey(s.startMs, s.eventId), `SET ${sets.join(', ')}`, c.names, {
        ...c.values,
        ':objectKey': s.objectKey,
        ':maxEndMs': s.maxEndMs,
      });
    },

    async recordEnd(e) {
      const c = shared(e);
      const sets = [...c.sets, 'endMs = :endMs', 'endReason = :endReason', 'endObjectKey = :endObjectKey'];
      return update(e.deviceId, eventSortKey(e.startMs, e.eventId), `SET ${sets.join(', ')} REMOVE endInferred`, c.names, {
        ...c.values,
        ':endMs': e.endMs,
        ':endReason': e.endReason,
        ':endObjectKey': e.endObjectKey,
      });
    },

    async closeInferred(deviceId, sk, endMs, reason) {
      try {
        return await update(
          deviceId,
          sk,
          'SET endMs = :endMs, endReason = :reason, endInferred = :yes',
          {},
          { ':endMs': endMs, ':reason': reason, ':yes': true },
          'attribute_exists(startMs) AND attribute_not_exists(endMs)',
          true,
        );
      } catch (e) {
        if (isConditionFailure(e)) return undefined;
        throw e;
      }
    },

    async markNotified(deviceId, sk, phase) {
      await update(
        deviceId,
        sk,
        `SET ${phase === 'start' ? 'startNotified' : 'endNotified'} = :yes`,
        {},
        { ':yes': true },
        'attribute_exists(eventId)',
        false,
      ).catch((e) => {
        if (!isConditionFailure(e)) throw e;
      });
    },

    async openEvents(deviceId, fromMs, toMs) {
      if (toMs <= fromMs) return [];
      const out: EventItem[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
            FilterExpression: 'attribute_not_exists(endMs) AND attribute_exists(startMs)',
            ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
            ExpressionAttributeValues: {
              ':pk': deviceId,
              ':lo': `${SortKeyPrefix.EVENT}${padMs(Math.max(0, fromMs))}`,
              ':hi': `${SortKeyPrefix.EVENT}${padMs(toMs - 1)}#~`,
            },
            ConsistentRead: true,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const it of page.Items ?? []) out.push(it as EventItem);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return out;
    },

    async newestEvent(deviceId) {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': deviceId, ':prefix': SortKeyPrefix.EVENT },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      return page.Items?.[0] as EventItem | undefined;
    },
  };
}
