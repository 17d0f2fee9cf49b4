/**
 * Lambda entry: GET /v1/sessions/{token}/keys/{keyId} and
 * GET /v1/sessions/{token}/images/{name}.jpg. The only function whose role may call KMS
 * Decrypt on the content key, so it is the one that decrypts pictures. Configuration is read once at cold start.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { dynamoImageIndex } from '../images/dynamo-image-index.ts';
import { dynamoSegmentIndex } from '../index/dynamo-segment-index.ts';
import { systemClock } from '../shared/clock.ts';
import { RequiredEnv, readHandlerConfig } from '../shared/lambda-config.ts';
import { powertools } from '../shared/powertools.ts';
import { s3ObjectStore } from '../storage/s3-object-store.ts';
import { secretsManagerTokenSecrets } from '../token/secrets-manager-token-secrets.ts';
import { createKeysHandler } from './create-keys-handler.ts';
import { kmsKeyUnwrapper } from './kms-key-unwrapper.ts';

const config = readHandlerConfig(process.env, RequiredEnv.keys, ['tokenSecretId', 'contentKeyId']);
const tools = powertools('camrec-keys');
const dynamo = new DynamoDBClient({});
const keys = createKeysHandler({
  config,
  store: s3ObjectStore(new S3Client({}), config.bucketName),
  index: dynamoSegmentIndex(dynamo, config.tableName),
  images: dynamoImageIndex(dynamo, config.tableName),
  unwrapper: kmsKeyUnwrapper(new KMSClient({}), config.contentKeyId),
  tokenSecrets: secretsManagerTokenSecrets(new SecretsManagerClient({}), config.tokenSecretId, systemClock),
  clock: systemClock,
  log: tools.log,
  metrics: tools.sink,
});

export const handler = tools.entry(keys);
