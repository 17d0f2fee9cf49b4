import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { IndexTable, OpenHoursIndex } from '../../contract/index.ts';
import { EMULATOR_REGION } from './start-s3rver.ts';

const require = createRequire(import.meta.url);

export interface DynaliteOptions {
  tableName: string;
  /** LevelDB folder to keep data across runs; default in memory. */
  path?: string;
  address?: string;
}

export interface RunningDynalite {
  endpoint: string;
  tableName: string;
  createClient(userAgent?: string): DynamoDBClient;
  close(): Promise<void>;
}

export function emulatorDynamoClient(endpoint: string, userAgent?: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: EMULATOR_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(userAgent ? { customUserAgent: userAgent } : {}),
  });
}

/** Whether the table exists and has the open-hours index packed history needs (tables made before it do not). */
export async function indexTableState(client: DynamoDBClient, tableName: string): Promise<'missing' | 'current' | 'without-open-hours'> {
  try {
    const t = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return t.Table?.GlobalSecondaryIndexes?.some((g) => g.IndexName === OpenHoursIndex.NAME) ? 'current' : 'without-open-hours';
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return 'missing';
    throw e;
  }
}

/**
 * Creates the index table from contract/index-table.ts (on-demand, TTL attribute, the
 * sparse open-hours index) if it is not there. dynalite does not implement
 * UpdateTimeToLive, so TTL is requested and a refusal ignored; items then simply do not
 * expire locally.
 */
export async function createIndexTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: IndexTable.PARTITION_KEY, AttributeType: 'S' },
          { AttributeName: IndexTable.SORT_KEY, AttributeType: 'S' },
          { AttributeName: OpenHoursIndex.PARTITION_KEY, AttributeType: 'S' },
          { AttributeName: OpenHoursIndex.SORT_KEY, AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: IndexTable.PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: IndexTable.SORT_KEY, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: OpenHoursIndex.NAME,
            KeySchema: [
              { AttributeName: OpenHoursIndex.PARTITION_KEY, KeyType: 'HASH' },
              { AttributeName: OpenHoursIndex.SORT_KEY, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      }),
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: IndexTable.TTL_ATTRIBUTE, Enabled: true } }),
    );
  } catch {
    // dynalite: UnknownOperationException.
  }
}

/** Starts dynalite in process on a free port (createTableMs 0) with the index table created. */
export async function startDynalite(options: DynaliteOptions): Promise<RunningDynalite> {
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  const address = options.address ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${address}:${port}`;
  const client = emulatorDynamoClient(endpoint);
  await createIndexTable(client, options.tableName);
  client.destroy();
  return {
    endpoint,
    tableName: options.tableName,
    createClient: (userAgent) => emulatorDynamoClient(endpoint, userAgent),
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
