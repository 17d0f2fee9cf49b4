/**
 * Lambda entry: the playback API (API Gateway HTTP API, payload format 2.0). Builds the
 * AWS-backed dependencies once at cold start; a missing or bad setting throws here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lambdaExportStarter } from '../clips/export-starter.ts';
import { s3ClipObjectStore } from '../storage/s3-clip-object-store.ts';
import { LambdaEnv } from '../../contract/index.ts';
import { dynamoEventStore } from '../events/dynamo-event-store.ts';
import { dynamoImageIndex } from '../images/dynamo-image-index.ts';
import { dynamoSegmentIndex } from '../index/dynamo-segment-index.ts';
import { systemClock } from '../shared/clock.ts';
import { RequiredEnv, readHandlerConfig } from '../shared/lambda-config.ts';
import { powertools } from '../shared/powertools.ts';
import { s3ObjectStore } from '../storage/s3-object-store.ts';
import { secretsManagerTokenSecrets } from '../token/secrets-manager-token-secrets.ts';
import { createApiHandler } from './create-api-handler.ts';

const config = readHandlerConfig(process.env, RequiredEnv.api, ['tokenSecretId']);
const tools = powertools('camrec-api');
const dynamo = new DynamoDBClient({});
const s3 = new S3Client({});
const clipFunction = process.env[LambdaEnv.CLIP_EXPORT_FUNCTION_NAME];
const api = createApiHandler({
  config,
  index: dynamoSegmentIndex(dynamo, config.tableName),
  events: dynamoEventStore(dynamo, config.tableName),
  images: dynamoImageIndex(dynamo, config.tableName),
  presigner: s3ObjectStore(s3, config.bucketName),
  ...(clipFunction
    ? {
        clips: {
          objects: s3ClipObjectStore(s3, config.bucketName, { kmsKeyId: process.env[LambdaEnv.CLIP_KEY_ID] }),
          startExport: lambdaExportStarter(new LambdaClient({}), clipFunction),
        },
      }
    : {}),
  tokenSecrets: secretsManagerTokenSecrets(new SecretsManagerClient({}), config.tokenSecretId, systemClock),
  clock: systemClock,
  log: tools.log,
  metrics: tools.sink,
});

export const handler = tools.entry(api);
