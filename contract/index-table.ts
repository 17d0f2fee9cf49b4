/**
 * The DynamoDB segment index: one table, partition key `deviceId`, sort key `sk` typed
 * by prefix, TTL attribute `ttl` (epoch seconds). The CDK stack and local mode both
 * create the table from these names; the indexer and the playback API read and write it.
 */
export const IndexTable = {
  PARTITION_KEY: 'deviceId',
  SORT_KEY: 'sk',
  TTL_ATTRIBUTE: 'ttl',
} as const;

/** Sort-key prefixes. Numbers inside sort keys are zero-padded so they sort as strings. */
export const SortKeyPrefix = {
  SEGMENT: 'seg#',
  EVENT: 'evt#',
  KEY: 'key#',
  /** The device's latest state (last seen, last seq, last disc-seq): one item per device. */
  STATE: 'state',
} as const;

export const padMs = (ms: number): string => String(ms).padStart(13, '0');
