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
  /** `img#{tsMs:13}#{imageId}`: one picture (contract/image-metadata.ts). */
  IMAGE: 'img#',
  /** The device's latest state (last seen, last seq, last disc-seq): one item per device. */
  STATE: 'state',
  /**
   * Packed history (contract/pack-index.ts): `hour#{hourMs:13}` is a pack hour's status,
   * `hour#{hourMs:13}#pack#{packNo:4}` one pack of it; one Query reads both for a range.
   */
  HOUR: 'hour#',
  /** `sum#{hourMs:13}#{packNo:4}#{digest}`: a pack's segment checksums, apart from what playlists read. */
  PACK_CHECKSUMS: 'sum#',
} as const;

/**
 * The sparse global secondary index of pack hours with work due (packing or deleting hot
 * copies). Only hour status items that have work carry its keys, so the compactor finds
 * due hours with one Query per shard and never scans the table: `openShard` spreads the
 * writes over a few partitions, `dueMs` sorts by when the work is due.
 */
export const OpenHoursIndex = {
  NAME: 'open-hours',
  PARTITION_KEY: 'openShard',
  SORT_KEY: 'dueMs',
  SHARDS: 4,
} as const;

export const padMs = (ms: number): string => String(ms).padStart(13, '0');
