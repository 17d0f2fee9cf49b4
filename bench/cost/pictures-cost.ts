import { MONTH_SECONDS, type Prices } from './cost-units.ts';

/**
 * What pictures cost per camera-month (pure arithmetic over the price table):
 *
 * - Recording: one S3 PUT into Standard per picture, and the indexer's work for it: one
 *   invocation (HeadObject, ~20 ms at 256 MB) and one DynamoDB write (an item under 1 KB).
 * - Storage: each picture in S3 Standard for its retention (steady state: a retention's
 *   worth of pictures is stored), and its index item (~300 bytes) for as long.
 * Serving (a player's picture GETs) is priced with viewing: each is one API request, one
 * keys-function invocation and one S3 GET, like a segment.
 */
export interface PicturesScenario {
  /** One picture every this many seconds (the agent's imageIntervalSeconds). */
  readonly intervalSeconds: number;
  /** Bytes of one stored picture (ciphertext: the JPEG plus up to 16 bytes of padding). */
  readonly pictureBytes: number;
  readonly retentionDays: number;
}

export interface PicturesCost {
  readonly picturesPerMonth: number;
  readonly putUsd: number;
  readonly indexerUsd: number;
  readonly storageUsd: number;
  readonly totalUsd: number;
}

const INDEXER_MS = 20;
const LAMBDA_GB = 256 / 1024;
const INDEX_ITEM_BYTES = 300;
const GIB = 1024 ** 3;

export function picturesCost(s: PicturesScenario, p: Prices): PicturesCost {
  const picturesPerMonth = MONTH_SECONDS / s.intervalSeconds;
  const putUsd = (picturesPerMonth / 1000) * p.s3.standardPutPer1k;
  const indexerUsd =
    (picturesPerMonth / 1000) * p.s3.standardGetPer1k +
    (picturesPerMonth / 1e6) * p.lambda.requestsPerMillion +
    picturesPerMonth * (INDEXER_MS / 1000) * LAMBDA_GB * p.lambda.arm64PerGbSecond +
    (picturesPerMonth / 1e6) * p.dynamodb.writeRequestUnitsPerMillion;
  const stored = (picturesPerMonth * s.retentionDays) / 30;
  const storageUsd = ((stored * s.pictureBytes) / GIB) * p.s3.standardStoragePerGibMonth + ((stored * INDEX_ITEM_BYTES) / GIB) * p.dynamodb.storagePerGibMonth;
  return { picturesPerMonth, putUsd, indexerUsd, storageUsd, totalUsd: putUsd + indexerUsd + storageUsd };
}
