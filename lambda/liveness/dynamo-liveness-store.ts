import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { IndexTable, SortKeyPrefix, type DeviceStateItem } from '../../contract/index.ts';
import type { LivenessStore } from './liveness-store.ts';

const isConditionFailure = (e: unknown) => e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException';

/**
 * LivenessStore over the index table's state item (`{deviceId, sk: "state"}`). Every
 * write is one conditional UpdateItem; `hear` answers ALL_OLD, which costs nothing extra.
 */
export function dynamoLivenessStore(client: DynamoDBClient, tableName: string): LivenessStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const Key = (deviceId: string) => ({ [IndexTable.PARTITION_KEY]: deviceId, [IndexTable.SORT_KEY]: SortKeyPrefix.STATE });

  /** Runs a conditional update; false when the condition failed. */
  async function conditional(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await doc.send(new UpdateCommand({ TableName: tableName, ...input }));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  return {
    async hear(deviceId, s) {
      const sets = ['lastHeardMs = :h'];
      const values: Record<string, unknown> = { ':h': s.heardMs };
      if (s.segment) sets.push('lastSegmentHeardMs = :h');
      if (s.status) {
        sets.push('privacyPaused = :p', 'recordingMode = :m', 'statusHeardMs = :h');
        values[':p'] = s.status.privacyPaused;
        values[':m'] = s.status.mode;
      }
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: Key(deviceId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_not_exists(lastHeardMs) OR lastHeardMs < :h',
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_OLD',
          }),
        );
        return { previous: out.Attributes as DeviceStateItem | undefined };
      } catch (e) {
        if (isConditionFailure(e)) return 'stale';
        throw e;
      }
    },

    async getState(deviceId) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: Key(deviceId), ConsistentRead: true }));
      return out.Item as DeviceStateItem | undefined;
    },

    armWatch(deviceId, watchId, expected) {
      return conditional({
        Key: Key(deviceId),
        UpdateExpression: 'SET watchId = :w',
        ConditionExpression: expected === undefined ? 'attribute_not_exists(watchId)' : 'watchId = :old',
        ExpressionAttributeValues: { ':w': watchId, ...(expected === undefined ? {} : { ':old': expected }) },
      });
    },

    markOffline(deviceId, watchId, lastHeardMs, detectedMs) {
      return conditional({
        Key: Key(deviceId),
        UpdateExpression: 'SET offlineSinceMs = :h, offlineDetectedMs = :d',
        ConditionExpression: 'watchId = :w AND lastHeardMs = :h AND attribute_not_exists(offlineSinceMs)',
        ExpressionAttributeValues: { ':w': watchId, ':h': lastHeardMs, ':d': detectedMs },
      });
    },

    async endWatch(deviceId, watchId) {
      await conditional({
        Key: Key(deviceId),
        UpdateExpression: 'REMOVE watchId',
        ConditionExpression: 'watchId = :w',
        ExpressionAttributeValues: { ':w': watchId },
      });
    },

    async clearOffline(deviceId, offlineSinceMs) {
      await conditional({
        Key: Key(deviceId),
        UpdateExpression: 'REMOVE offlineSinceMs, offlineDetectedMs',
        ConditionExpression: 'offlineSinceMs = :s',
        ExpressionAttributeValues: { ':s': offlineSinceMs },
      });
    },
  };
}
