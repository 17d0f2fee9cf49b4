import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HttpResponse } from '@smithy/protocol-http';
import type { HttpHandler } from '@smithy/protocol-http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Readable } from 'node:stream';

/**
 * A DynamoDB client that asks every read for its consumed capacity (ReturnConsumedCapacity
 * TOTAL) and adds up what the answers say, below the SDK (so the index's raw Query reader
 * still gets the whole body). dynalite computes read units as DynamoDB does: the items'
 * size per page, rounded up to 4 KB, halved for eventually consistent reads.
 */
export interface MeteredDynamo {
  readonly client: DynamoDBClient;
  /** Read units since the last reset. */
  readUnits(): number;
  reset(): void;
}

export function meteredDynamoClient(endpoint: string): MeteredDynamo {
  let units = 0;
  const inner = new NodeHttpHandler();
  const handler = {
    metadata: inner.metadata,
    updateHttpClientConfig: inner.updateHttpClientConfig.bind(inner),
    httpHandlerConfigs: inner.httpHandlerConfigs.bind(inner),
    destroy: () => inner.destroy(),
    async handle(request: Parameters<NodeHttpHandler['handle']>[0], options?: Parameters<NodeHttpHandler['handle']>[1]) {
      const out = await inner.handle(request, options);
      const chunks: Buffer[] = [];
      for await (const c of out.response.body as Readable) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      if (out.response.statusCode === 200) {
        const consumed = (JSON.parse(bytes.toString('utf8') || '{}') as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] })
          .ConsumedCapacity;
        for (const c of [consumed ?? []].flat()) units += c.CapacityUnits ?? 0;
      }
      return { response: new HttpResponse({ ...out.response, body: new Uint8Array(bytes) }) };
    },
  } as unknown as HttpHandler;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: handler,
  });
  // Every read asks for its consumed capacity, before it is serialised and signed.
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if ('KeyConditionExpression' in input || 'Key' in input || 'RequestItems' in input) input.ReturnConsumedCapacity = 'TOTAL';
      return next(args);
    },
    { step: 'initialize', name: 'benchReturnConsumedCapacity' },
  );
  return { client, readUnits: () => units, reset: () => void (units = 0) };
}
