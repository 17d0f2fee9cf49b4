/**
 * AWS list prices, US East (N. Virginia), on-demand, no free tier, first volume tier.
 * Looked up on 2026-11-21 through the search tool's stored copies of public pages (the
 * copies' own age varies; each entry names its source). Re-check against the AWS pricing
 * pages before quoting a figure outside this repo: prices change.
 *
 * Units are in the names: `PerGibMonth` is USD per GiB (2^30 bytes, how AWS bills "GB")
 * per month, `Per1k` is USD per 1,000 requests, `PerMillion` per 1,000,000.
 */
export const PRICES_US_EAST_1 = {
  region: 'us-east-1',
  lookedUpOn: '2026-11-21',
  s3: {
    source: 'https://aws.amazon.com/s3/pricing/ (storage table; requests & data retrievals)',
    /** S3 Standard, first 50 TB / month. */
    standardStoragePerGibMonth: 0.023,
    /** S3 Standard-IA storage; 30-day minimum storage duration, 128 KB minimum billable object. */
    standardIaStoragePerGibMonth: 0.0125,
    /** S3 Glacier Instant Retrieval storage; 90-day minimum storage duration. */
    glacierIrStoragePerGibMonth: 0.004,
    /** PUT, COPY, POST, LIST into S3 Standard. */
    standardPutPer1k: 0.005,
    /** GET, SELECT and all other requests (HeadObject included) on S3 Standard. */
    standardGetPer1k: 0.0004,
    /** PUT, COPY, POST, LIST (multipart parts included) into Standard-IA and into Glacier Instant Retrieval. */
    standardIaPutPer1k: 0.01,
    glacierIrPutPer1k: 0.02,
    /** GET and all other requests on Standard-IA and on Glacier Instant Retrieval objects. */
    standardIaGetPer1k: 0.001,
    glacierIrGetPer1k: 0.01,
    /** S3 One Zone-IA (one Availability Zone): storage; 30-day minimum; retrieval as Standard-IA. */
    oneZoneIaStoragePerGibMonth: 0.01,
    /** Lifecycle transition requests into Standard-IA. */
    transitionToStandardIaPer1k: 0.01,
    /** Lifecycle transition requests into Glacier Instant Retrieval. */
    transitionToGlacierIrPer1k: 0.02,
    /** Retrieval per GiB read back (Standard: none). */
    standardIaRetrievalPerGib: 0.01,
    glacierIrRetrievalPerGib: 0.03,
    standardIaMinimumDays: 30,
    glacierIrMinimumDays: 90,
  },
  lambda: {
    source: 'https://aws.amazon.com/lambda/pricing/ (Arm price, first 7.5 billion GB-s / month)',
    arm64PerGbSecond: 0.0000133334,
    requestsPerMillion: 0.2,
  },
  dynamodb: {
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ (after the November 2024 on-demand price cut)',
    /** On-demand write request unit: one standard write of an item up to 1 KB. */
    writeRequestUnitsPerMillion: 0.625,
    /** On-demand read request unit: one strongly consistent read up to 4 KB (eventually consistent: half). */
    readRequestUnitsPerMillion: 0.125,
    /** Standard table class, after the first 25 GB. */
    storagePerGibMonth: 0.25,
  },
  apiGateway: {
    source: 'https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs, first 300 million / month; metered in 512 KB increments)',
    httpApiRequestsPerMillion: 1.0,
  },
  kms: {
    source: 'https://aws.amazon.com/kms/pricing/ (key storage; key usage)',
    /** Each customer managed key, symmetric or asymmetric. */
    keyPerMonth: 1.0,
    symmetricPer10k: 0.03,
    /** Requests with RSA 2048 keys are priced as symmetric ones. */
    rsa2048Per10k: 0.03,
    /** Asymmetric requests except RSA 2048 (e.g. Decrypt with an RSA_3072 or RSA_4096 key). */
    asymmetricOtherPer10k: 0.15,
  },
  secretsManager: {
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
    secretPerMonth: 0.4,
    apiCallsPer10k: 0.05,
  },
  dataTransfer: {
    source:
      'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer (internet egress, up to 10 TB / month after the first 100 GB free, aggregated across services)',
    outToInternetPerGib: 0.09,
    inFromInternetPerGib: 0,
  },
  sqs: {
    source:
      'https://aws.amazon.com/sqs/pricing/ (standard queue, first 100 billion requests / month; each 64 KB chunk of a message is one request); looked up through stored copies of third-party summaries of that page (2026), which agree',
    standardRequestsPerMillion: 0.4,
  },
  eventBridge: {
    source:
      'https://aws.amazon.com/eventbridge/pricing/ (custom events published to an event bus; API destinations invocations); looked up through stored copies of third-party summaries of that page (2026), which agree',
    customEventsPerMillion: 1.0,
    apiDestinationInvocationsPerMillion: 0.2,
  },
  kinesisVideoStreams: {
    source:
      'https://aws.amazon.com/kinesis/video-streams/pricing/ (US East; pricing examples state ingest $0.0085/GB, HLS $0.0119/GB, storage $0.023/GB-month)',
    ingestPerGib: 0.0085,
    storagePerGibMonth: 0.023,
    hlsConsumedPerGib: 0.0119,
  },
} as const;

export type Prices = typeof PRICES_US_EAST_1;
