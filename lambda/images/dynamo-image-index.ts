import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { IndexTable, SortKeyPrefix, imageSortKey, padMs, type ImageItem } from '../../contract/index.ts';
import type { PutOutcome } from '../index/segment-index.ts';
import type { ImageIndex } from './image-index.ts';

const PK = IndexTable.PARTITION_KEY;
const SK = IndexTable.SORT_KEY;
/** Most pictures one read returns (a day at one a minute is 1,440). */
const MAX_IMAGES = 5000;

/** ImageIndex over the one DynamoDB table (contract/index-table.ts). */
export function dynamoImageIndex(client: DynamoDBClient, tableName: string): ImageIndex {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const live = (item: ImageItem | undefined, nowS = Date.now() / 1000) => (item && item.ttl > nowS ? item : undefined);
  return {
    async putImage(item): Promise<PutOutcome> {
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
        if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException') return 'exists';
        throw e;
      }
    },
    async getImage(deviceId, tsMs, imageId) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: { [PK]: deviceId, [SK]: imageSortKey(tsMs, imageId) } }));
      // DynamoDB deletes expired items lazily: an item past its TTL is gone for readers.
      return live(out.Item as ImageItem | undefined);
    },
    async queryImages(deviceId, fromMs, toMs, limit = MAX_IMAGES) {
      if (toMs <= fromMs) return [];
      const out: ImageItem[] = [];
      let startKey: Record<string, unknown> | undefined;
      const nowS = Date.now() / 1000;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
            // `#` sorts before every digit: img#{toMs-1}# ... is the last key below toMs.
            ExpressionAttributeValues: {
              ':pk': deviceId,
              ':from': `${SortKeyPrefix.IMAGE}${padMs(Math.max(0, fromMs))}`,
              ':to': `${SortKeyPrefix.IMAGE}${padMs(toMs - 1)}#~`,
            },
            Limit: Math.min(1000, limit - out.length),
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of (page.Items ?? []) as ImageItem[]) if (live(item, nowS)) out.push(item);
        startKey = page.LastEvaluatedKey;
      } while (startKey && out.length < limit);
      return out;
    },
  };
}
