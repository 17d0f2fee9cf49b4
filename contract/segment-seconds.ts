/**
 * The target segment length every part agrees on: the agent's device.json (`segmentSeconds`),
 * the CDK props (the stack's default and its check), the Lambdas' fallback target duration
 * and `camrec local --segment-seconds`. Each segment is one S3 PUT, so longer segments cost
 * less (see `npm run cost`) and shorter ones cut live latency.
 */
export const SegmentSeconds = {
  /** The agent's and the cloud's default. */
  DEFAULT: 6,
  /** `camrec local`'s default: short segments so the page plays within seconds. */
  LOCAL_DEFAULT: 2,
  MIN: 1,
  MAX: 10,
} as const;

/** True when `s` is a segment length the agent accepts. */
export const segmentSecondsInRange = (s: number): boolean => Number.isFinite(s) && s >= SegmentSeconds.MIN && s <= SegmentSeconds.MAX;
