/**
 * Lambda entry: the indexer, notified by the bucket on s3:ObjectCreated:*. Configuration
 * is read once at cold start. Unparseable objects are skipped; S3, DynamoDB, EventBridge
 * or SQS trouble throws so Lambda retries the (idempotent) batch. With an event bus it
 * publishes event started / ended and camera online; with a watch queue it arms the
 * offline watch of each camera it hears from. It registers each device-hour for the
 * compactor (lambda/packer).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { dynamoEventStore } from '../events/dynamo-event-store.ts';
import { dynamoImageIndex } from '../images/dynamo-image-index.ts';
import { dynamoSegmentIndex } from '../index/dynamo-segment-index.ts';
import { dynamoLivenessStore } from '../liveness/dynamo-liveness-store.ts';
import { sqsWatchQueue } from '../liveness/sqs-watch-queue.ts';
import { eventBridgePublisher } from '../notify/eventbridge-publisher.ts';
import { systemClock } from '../shared/clock.ts';
import { RequiredEnv, readPlaybackConfig } from '../shared/lambda-config.ts';
import { powertools } from '../shared/powertools.ts';
import { s3ObjectStore } from '../storage/s3-object-store.ts';
import { createIndexer } from './create-indexer.ts';

const config = readPlaybackConfig(process.env, RequiredEnv.indexer);
const tools = powertools('camrec-indexer');
const dynamo = new DynamoDBClient({});
const indexer = createIndexer({
  index: dynamoSegmentIndex(dynamo, config.tableName, { packPeriodMs: config.packPeriodMs }),
  events: dynamoEventStore(dynamo, config.tableName),
  images: dynamoImageIndex(dynamo, config.tableName),
  store: s3ObjectStore(new S3Client({}), config.bucketName),
  config: {
    retentionDays: config.retentionDays,
    eventRetentionDays: config.eventRetentionDays,
    bucketName: config.bucketName,
    packing: { periodMs: config.packPeriodMs, graceMs: config.packGraceMs, hotIndexDays: config.hotIndexDays },
  },
  clock: systemClock,
  ...(config.eventBusName ? { publisher: eventBridgePublisher(new EventBridgeClient({}), config.eventBusName) } : {}),
  ...(config.watchQueueUrl
    ? {
        liveness: dynamoLivenessStore(dynamo, config.tableName),
        watch: { queue: sqsWatchQueue(new SQSClient({}), config.watchQueueUrl), offlineAfterMs: config.offlineAfterMs },
      }
    : {}),
  log: tools.log,
  metrics: tools.sink,
});

export const handler = tools.entry(indexer);
