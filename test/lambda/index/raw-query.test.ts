import { DynamoDBClient, QueryCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSegmentItem } from '../../../contract/index.ts';
import { dynamoSegmentIndex } from '../../../lambda/index/dynamo-segment-index.ts';
import { rawQuery } from '../../../lambda/index/raw-query.ts';
import { startDynalite, type RunningDynalite } from '../../../local/emulators/start-dynalite.ts';

const TABLE = 'camrec-raw-query-test';
const T0 = Date.UTC(2026, 0, 1);
const KEY = 'cd'.repeat(16);

describe('rawQuery (the wire JSON of a Query, through the SDK client)', () => {
  let dyn: RunningDynalite;
  let client: DynamoDBClient;
  beforeAll(async () => {
    dyn = await startDynalite({ tableName: TABLE });
    client = dyn.createClient();
    const index = dynamoSegmentIndex(client, TABLE);
    for (let seq = 0; seq < 5; seq++) {
      await index.putSegment(
        toSegmentItem(
          'cam-r',
          { startMs: T0 + seq * 6000, durationMs: 6000, seq, discSeq: 0, keyId: KEY, iv: '0'.repeat(32), codecs: 'avc1.64001f', width: 2, height: 2 },
          `k${seq}`,
          1,
          7,
        ),
      );
    }
  });
  afterAll(async () => dyn?.close());

  const input = (extra: object = {}) => ({
    TableName: TABLE,
    KeyConditionExpression: 'deviceId = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': { S: 'cam-r' }, ':p': { S: 'seg#' } },
    ProjectionExpression: 'summary',
    ...extra,
  });

  it('returns the same items and page key as the SDK parses', async () => {
    const raw = await rawQuery(client, input({ Limit: 3 }));
    const sdk = await client.send(new QueryCommand(input({ Limit: 3 })));
    expect(raw.Items).toEqual(sdk.Items);
    expect(raw.Items).toHaveLength(3);
    expect(raw.Items[0]!.summary!.S).toBe(`${T0}:6000:0:0:${KEY}:${'0'.repeat(32)}`);
    expect(raw.LastEvaluatedKey).toEqual(sdk.LastEvaluatedKey);
    const rest = await rawQuery(client, input({ ExclusiveStartKey: raw.LastEvaluatedKey }));
    expect(rest.Items.map((i) => i.summary!.S!.split(':')[2])).toEqual(['3', '4']);
    expect(rest.LastEvaluatedKey).toBeUndefined();
  });

  it('leaves errors to the SDK: a missing table is its ResourceNotFoundException', async () => {
    await expect(rawQuery(client, input({ TableName: 'no-such-table' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('falls back to the SDK output when there is no wire body (a mocked client)', async () => {
    const mocked = new DynamoDBClient({ region: 'us-east-1' });
    mockClient(mocked)
      .on(QueryCommand)
      .resolves({ Items: [{ summary: { S: 'x' } }] });
    expect(await rawQuery(mocked, input())).toEqual({ Items: [{ summary: { S: 'x' } }] });
  });
});
