/**
 * Defaults and ranges of the settings the CDK writes into the Lambdas' environment: the
 * CDK checks props against these, and the Lambdas check their environment against the same
 * ranges at cold start, so a value the CDK accepts never stops a function from starting.
 */
export const PlaybackLimit = {
  /** Segments in a LIVE playlist's sliding window (RFC 8216 6.2.2: at least three target durations). */
  LIVE_WINDOW_SEGMENTS_DEFAULT: 5,
  LIVE_WINDOW_SEGMENTS_MIN: 3,
  LIVE_WINDOW_SEGMENTS_MAX: 1000,
  /** EXT-X-TARGETDURATION, whole seconds. */
  TARGET_DURATION_MIN_SECONDS: 1,
  TARGET_DURATION_MAX_SECONDS: 60,
  /** Days footage is kept (continuous footage; event footage at least as long). */
  RETENTION_DAYS_DEFAULT: 30,
  RETENTION_DAYS_MIN: 1,
  RETENTION_DAYS_MAX: 36_500,
} as const;
