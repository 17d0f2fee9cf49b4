import { QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import type { DeserializeMiddleware } from '@smithy/types';

/** One Query page as DynamoDB's JSON protocol sends it (attribute values still typed: `{S}`, `{N}`). */
export interface RawQueryPage {
  Items: Record<string, AttributeValue>[];
  LastEvaluatedKey?: Record<string, AttributeValue>;
}

const EMPTY_JSON = new TextEncoder().encode('{}');

/**
 * Runs one Query through the client (its signing, endpoint, retries and error handling
 * unchanged) but parses a successful answer's body with one JSON.parse and hands the SDK's
 * deserializer an empty object. For a 24 h playlist (14,400 items of one packed string)
 * the SDK's per-value deserialization was most of the handler's CPU; the items this
 * returns are the wire JSON, whose shape is the SDK's AttributeValue shape.
 */
export async function rawQuery(client: DynamoDBClient, input: QueryCommandInput): Promise<RawQueryPage> {
  let page: RawQueryPage | undefined;
  const command = new QueryCommand(input);
  const takeBody: DeserializeMiddleware<QueryCommandInput, QueryCommandOutput> = (next) => async (args) => {
    const out = await next(args);
    const response = out.response as { statusCode?: number; body?: unknown };
    if (response.statusCode === 200 && response.body) {
      const body = response.body;
      const bytes = body instanceof Uint8Array ? body : await client.config.streamCollector(body);
      const parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as Partial<RawQueryPage>;
      page = { Items: parsed.Items ?? [], ...(parsed.LastEvaluatedKey ? { LastEvaluatedKey: parsed.LastEvaluatedKey } : {}) };
      response.body = EMPTY_JSON;
    }
    return out;
  };
  // 'low' in the deserialize step: inside the SDK's deserializer, so it sees the raw answer first.
  command.middlewareStack.add(takeBody, { step: 'deserialize', priority: 'low', name: 'camrecRawQueryBody' });
  const output = await client.send(command);
  // Without a body (a mocked client, say) fall back to what the SDK parsed.
  return page ?? { Items: output.Items ?? [], ...(output.LastEvaluatedKey ? { LastEvaluatedKey: output.LastEvaluatedKey } : {}) };
}
