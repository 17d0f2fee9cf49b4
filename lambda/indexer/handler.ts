/**
 * Lambda entry: the indexer, notified by the bucket on s3:ObjectCreated:*. Configuration
 * is read once at cold start. Unparseable objects are skipped; S3 or DynamoDB trouble
 * throws so Lambda retries the (idempotent) batch.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { dynamoSegmentIndex } from '../index/dynamo-segment-index.ts';
import { systemClock } from '../shared/clock.ts';
import { RequiredEnv, readPlaybackConfig } from '../shared/lambda-config.ts';
import { powertools } from '../shared/powertools.ts';
import { s3ObjectStore } from '../storage/s3-object-store.ts';
import { createIndexer } from './create-indexer.ts';

const config = readPlaybackConfig(process.env, RequiredEnv.indexer);
const tools = powertools('camrec-indexer');
const indexer = createIndexer({
  index: dynamoSegmentIndex(new DynamoDBClient({}), config.tableName),
  store: s3ObjectStore(new S3Client({}), config.bucketName),
  config: { retentionDays: config.retentionDays, bucketName: config.bucketName },
  clock: systemClock,
  log: tools.log,
  metrics: tools.sink,
});

export const handler = tools.entry(indexer);
