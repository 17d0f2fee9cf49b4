/**
 * Lambda entry: the packer, invoked asynchronously by the sweep with `{deviceId, hourMs}`.
 * Packs that hour of that camera (see create-packer.ts). Anything that fails throws: the
 * hot copies stay, the hour stays due, and the next sweep after its lease dispatches it again.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { dynamoHistoryStore } from '../index/dynamo-history-store.ts';
import { dynamoSegmentIndex } from '../index/dynamo-segment-index.ts';
import { systemClock } from '../shared/clock.ts';
import { RequiredEnv, readPackStorageClasses, readPlaybackConfig } from '../shared/lambda-config.ts';
import { powertools } from '../shared/powertools.ts';
import { s3PackStore } from '../storage/s3-pack-store.ts';
import { createPacker } from './create-packer.ts';
import { parsePackJob } from './pack-job.ts';
import { VerifyMode } from './pack-verify.ts';

const config = readPlaybackConfig(process.env, RequiredEnv.packer);
const classes = readPackStorageClasses(process.env);
const tools = powertools('camrec-packer');
const ddb = new DynamoDBClient({});
const packer = createPacker({
  history: dynamoHistoryStore(ddb, config.tableName),
  events: dynamoSegmentIndex(ddb, config.tableName),
  store: s3PackStore(new S3Client({}), config.bucketName),
  config: {
    periodMs: config.packPeriodMs,
    drainMs: config.packDrainMs,
    retentionDays: config.retentionDays,
    eventRetentionDays: config.eventRetentionDays,
    ...classes,
    // The role may not read packs: S3's own part and object checksums verify them.
    verify: VerifyMode.CHECKSUMS,
    copyParts: true,
  },
  clock: systemClock,
  log: tools.log,
  metrics: tools.sink,
});

export const handler = tools.entry((event: unknown) => packer.packHour(parsePackJob(event)));
