import { BatchWriteItemCommand, DeleteTableCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createIndexTable, indexTableState } from './start-dynalite.ts';

/**
 * Local data dirs made before packed history have an index table without the open-hours
 * index, and dynalite cannot add an index to a table. This copies such a table's items
 * into `to` (created with the index) and then drops `from`. Safe to repeat after a crash:
 * the copy is idempotent and `from` goes only after every item is in `to`. Local mode
 * only (a Scan of the whole table): in the cloud CloudFormation adds the index in place.
 */
export async function migrateIndexTable(client: DynamoDBClient, from: string, to: string): Promise<number> {
  if ((await indexTableState(client, from)) === 'missing') return 0;
  await createIndexTable(client, to);
  let copied = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: from, ExclusiveStartKey: startKey }));
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += 25) {
      let pending: Record<string, { PutRequest: { Item: Record<string, AttributeValue> } }[]> | undefined = {
        [to]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      while (pending && Object.keys(pending).length) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: pending }));
        pending = out.UnprocessedItems as typeof pending;
      }
    }
    copied += items.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await client.send(new DeleteTableCommand({ TableName: from }));
  return copied;
}
