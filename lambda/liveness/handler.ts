/**
 * Lambda entry: the offline checker, fed by the watch queue (SQS, delayed messages). Reads
 * and writes the device state items, closes the open events of a camera that went
 * offline, publishes "Camera Offline" and "Camera Event Ended" on the event bus.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { dynamoEventStore } from '../events/dynamo-event-store.ts';
import { eventBridgePublisher } from '../notify/eventbridge-publisher.ts';
import { systemClock } from '../shared/clock.ts';
import { RequiredEnv, readPlaybackConfig } from '../shared/lambda-config.ts';
import { powertools } from '../shared/powertools.ts';
import { createOfflineChecker } from './create-offline-checker.ts';
import { dynamoLivenessStore } from './dynamo-liveness-store.ts';
import { sqsWatchQueue } from './sqs-watch-queue.ts';

const config = readPlaybackConfig(process.env, RequiredEnv.offlineChecker);
const tools = powertools('camrec-offline-checker');
const dynamo = new DynamoDBClient({});
const checker = createOfflineChecker({
  liveness: dynamoLivenessStore(dynamo, config.tableName),
  events: dynamoEventStore(dynamo, config.tableName),
  queue: sqsWatchQueue(new SQSClient({}), config.watchQueueUrl!),
  publisher: eventBridgePublisher(new EventBridgeClient({}), config.eventBusName!),
  clock: systemClock,
  offlineAfterMs: config.offlineAfterMs,
  log: tools.log,
  metrics: tools.sink,
});

export const handler = tools.entry(checker);
