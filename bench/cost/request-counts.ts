import { z } from 'zod';

/**
 * What one activity (a segment recorded, a playlist served, ...) costs in billable
 * requests. `lambdaMs` is the billed duration summed over the activity's invocations.
 * The soak measures these and writes them to bench/out/soak-requests.json in this shape;
 * until then bench/cost/requests-per-segment.json holds counts derived from the design.
 */
const requestVector = z.object({
  s3Put: z.number().nonnegative(),
  /** GET-class S3 requests (GetObject, HeadObject). */
  s3Get: z.number().nonnegative(),
  lambdaInvocations: z.number().nonnegative(),
  lambdaMs: z.number().nonnegative(),
  dynamoWriteUnits: z.number().nonnegative(),
  dynamoReadUnits: z.number().nonnegative(),
  /** API Gateway HTTP API requests. */
  apiRequests: z.number().nonnegative(),
  /** KMS Decrypt calls with the RSA content-key pair. */
  kmsDecrypts: z.number().nonnegative(),
});

export const requestCountsSchema = z.object({
  /** Shown beside every figure: e.g. "design counts, not yet measured" or "measured by the soak, 2026-11-21". */
  label: z.string().min(1),
  notes: z.array(z.string()).optional(),
  /** Memory of the indexer (recording) and the playback API (viewing) functions (lib/ sets them). */
  lambdaMemoryMb: z.object({ indexer: z.number().int().min(128).max(10_240), api: z.number().int().min(128).max(10_240) }),
  recording: z.object({
    perSegment: requestVector,
    perKeyRotation: requestVector,
    perEvent: requestVector,
  }),
  viewing: z.object({
    perSession: requestVector,
    perPlaylistRequest: requestVector,
    perSegmentWatched: requestVector,
    perKeyFetch: requestVector,
    /** Playlist reloads per segment watched (a live player reloads about once per target duration). */
    playlistRequestsPerSegment: z.number().nonnegative(),
  }),
  /**
   * Packed history (the compactor). Requests per hot segment packed (its GET) and per pack
   * run (its invocation, the PUT-class requests of a one-part pack, DynamoDB writes of the
   * hour's status); the parts of a large pack and the item-size-dependent DynamoDB units
   * are computed from the pack's size (bench/cost/packing-cost.ts). Absent in counts made
   * before packing existed: the design counts are used then.
   */
  compaction: z
    .object({
      perSegment: requestVector,
      perPack: requestVector,
      /** Memory of the packer function (lib/ sets it). */
      lambdaMemoryMb: z.number().int().min(128).max(10_240),
      /** Billed packer time per GiB packed (GETs, hashing, part uploads). */
      lambdaMsPerGib: z.number().nonnegative(),
    })
    .optional(),
  bytes: z.object({
    /** MPEG-TS packetisation + PES headers + AES padding, as a fraction of the media bitrate. */
    tsOverheadFraction: z.number().min(0).max(1),
    playlistBytes: z.number().nonnegative(),
    indexItemBytes: z.number().nonnegative(),
  }),
});

export type RequestVector = z.infer<typeof requestVector>;
export type RequestCounts = z.infer<typeof requestCountsSchema>;

export const ZERO_REQUESTS: RequestVector = {
  s3Put: 0,
  s3Get: 0,
  lambdaInvocations: 0,
  lambdaMs: 0,
  dynamoWriteUnits: 0,
  dynamoReadUnits: 0,
  apiRequests: 0,
  kmsDecrypts: 0,
};

/** `a + times * b`, field by field. */
export function addScaled(a: RequestVector, b: RequestVector, times: number): RequestVector {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof RequestVector)[]) out[k] = a[k] + b[k] * times;
  return out;
}
