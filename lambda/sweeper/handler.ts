/**
 * Lambda entry: the sweep, run every few minutes by an EventBridge schedule. Finds pack
 * hours with work due through the open-hours index (no Scan) and invokes the packer
 * asynchronously for each one it leases.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { dynamoHistoryStore } from '../index/dynamo-history-store.ts';
import { systemClock } from '../shared/clock.ts';
import { RequiredEnv, readHandlerConfig } from '../shared/lambda-config.ts';
import { powertools } from '../shared/powertools.ts';
import { createSweeper } from './create-sweeper.ts';

/** Longer than the packer's 15-minute timeout plus its async retries' first delay: one run per hour at a time. */
const LEASE_MS = 20 * 60 * 1000;

const config = readHandlerConfig(process.env, RequiredEnv.sweeper, ['packerFunctionName']);
const packerName = config.packerFunctionName;
const tools = powertools('camrec-sweeper');
const lambda = new LambdaClient({});
const sweeper = createSweeper({
  history: dynamoHistoryStore(new DynamoDBClient({}), config.tableName),
  dispatch: async (job) => {
    await lambda.send(new InvokeCommand({ FunctionName: packerName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(job)) }));
  },
  config: { leaseMs: LEASE_MS },
  clock: systemClock,
  log: tools.log,
  metrics: tools.sink,
});

export const handler = tools.entry(() => sweeper.sweep());
