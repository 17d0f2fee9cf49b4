/**
 * Lambda entry: the clip export, invoked asynchronously by the API with a clip request
 * (contract/clip.ts ClipRequest). The second function whose role may kms:Decrypt the
 * content key (as narrowly as the key route: RSAES_OAEP_SHA_256 only, named in the key
 * policy); it reads segments, packs and wrapped keys, and writes only under clips/.
 * A refused export (no recording, unreadable media) is FAILED in error.json and the
 * invocation succeeds; anything else throws, so Lambda retries the invocation.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { dynamoSegmentIndex } from '../index/dynamo-segment-index.ts';
import { createDataKeyOpener } from '../keys/data-key-opener.ts';
import { kmsKeyUnwrapper } from '../keys/kms-key-unwrapper.ts';
import { eventBridgePublisher } from '../notify/eventbridge-publisher.ts';
import { noPublisher } from '../notify/notification-publisher.ts';
import { systemClock } from '../shared/clock.ts';
import { RequiredEnv, readHandlerConfig } from '../shared/lambda-config.ts';
import { powertools } from '../shared/powertools.ts';
import { s3ClipObjectStore } from '../storage/s3-clip-object-store.ts';
import { s3ObjectStore } from '../storage/s3-object-store.ts';
import { dynamoClipSources } from './dynamo-clip-sources.ts';
import { createClipExporter } from './export-clip.ts';

const config = readHandlerConfig(process.env, RequiredEnv.clipExport, ['contentKeyId', 'clipKeyId']);
const tools = powertools('camrec-clips');
const ddb = new DynamoDBClient({});
const s3 = new S3Client({});
const exportClip = createClipExporter({
  sources: dynamoClipSources(ddb, config.tableName, dynamoSegmentIndex(ddb, config.tableName)),
  objects: s3ClipObjectStore(s3, config.bucketName, { kmsKeyId: config.clipKeyId }),
  openDataKey: createDataKeyOpener({
    store: s3ObjectStore(s3, config.bucketName),
    unwrapper: kmsKeyUnwrapper(new KMSClient({}), config.contentKeyId),
    ...(config.unboundKeysStoredBeforeMs !== undefined ? { unboundKeysStoredBeforeMs: config.unboundKeysStoredBeforeMs } : {}),
    log: tools.log,
    metrics: tools.sink,
  }),
  publisher: config.eventBusName ? eventBridgePublisher(new EventBridgeClient({}), config.eventBusName) : noPublisher,
  clock: systemClock,
  log: tools.log,
  metrics: tools.sink,
});

export const handler = tools.entry(exportClip);
