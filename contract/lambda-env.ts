/**
 * Environment variable names the CDK stack sets and the Lambda handlers read. `lib/`
 * and `lambda/` share only these names; each handler validates its values at cold start.
 */
export const LambdaEnv = {
  BUCKET_NAME: 'CAMREC_BUCKET_NAME',
  TABLE_NAME: 'CAMREC_TABLE_NAME',
  /** Days to keep index items (their TTL) and objects (lifecycle). */
  RETENTION_DAYS: 'CAMREC_RETENTION_DAYS',
  /** Fixed EXT-X-TARGETDURATION in whole seconds (>= the longest segment the devices make). */
  TARGET_DURATION_SECONDS: 'CAMREC_TARGET_DURATION_SECONDS',
  LIVE_WINDOW_SEGMENTS: 'CAMREC_LIVE_WINDOW_SEGMENTS',
  /** Secrets Manager secret (ARN or name) holding the session-token HMAC secret. */
  TOKEN_SECRET_ID: 'CAMREC_TOKEN_SECRET_ID',
  /** KMS key id/ARN of the RSA content-key pair (key route only). */
  CONTENT_KEY_ID: 'CAMREC_CONTENT_KEY_ID',
  /** Comma-separated allowed CORS origins, or `*`. */
  CORS_ORIGINS: 'CAMREC_CORS_ORIGINS',
  /**
   * ISO 8601 time: wrapped keys in the legacy unbound format are served only if S3 stored
   * them before it (key route only; optional; unset refuses the legacy format).
   */
  UNBOUND_KEYS_STORED_BEFORE: 'CAMREC_UNBOUND_KEYS_STORED_BEFORE',
  /** Name of the EventBridge bus notifications go to (indexer, offline checker); unset: none are published. */
  EVENT_BUS_NAME: 'CAMREC_EVENT_BUS_NAME',
  /** URL of the SQS queue of offline-watch messages (indexer, offline checker); unset: no offline watch. */
  WATCH_QUEUE_URL: 'CAMREC_WATCH_QUEUE_URL',
  /** Seconds of silence after which a camera counts as offline (indexer, offline checker, API). */
  OFFLINE_AFTER_SECONDS: 'CAMREC_OFFLINE_AFTER_SECONDS',
  /** Days event footage (packs of hours or ranges an event covers) is kept; >= RETENTION_DAYS. */
  EVENT_RETENTION_DAYS: 'CAMREC_EVENT_RETENTION_DAYS',
  /** Seconds after a pack hour closes before it is packed (indexer). */
  PACK_GRACE_SECONDS: 'CAMREC_PACK_GRACE_SECONDS',
  /** Seconds hot copies outlive their pack (packer deletes them then; the API lists a pack only to sessions that began after). */
  PACK_DRAIN_SECONDS: 'CAMREC_PACK_DRAIN_SECONDS',
  /** Days a segment's own index item lives once history is packed (indexer). */
  HOT_INDEX_DAYS: 'CAMREC_HOT_INDEX_DAYS',
  /** S3 storage class of continuous packs and of event packs (packer). */
  PACK_STORAGE_CLASS: 'CAMREC_PACK_STORAGE_CLASS',
  EVENT_PACK_STORAGE_CLASS: 'CAMREC_EVENT_PACK_STORAGE_CLASS',
  /** Name of the packer function the sweep invokes (sweeper). */
  PACKER_FUNCTION_NAME: 'CAMREC_PACKER_FUNCTION_NAME',
  /** KMS key id/ARN clip objects are encrypted with (SSE-KMS; clip export and API). */
  CLIP_KEY_ID: 'CAMREC_CLIP_KEY_ID',
  /** Name of the clip export function the API invokes (API). */
  CLIP_EXPORT_FUNCTION_NAME: 'CAMREC_CLIP_EXPORT_FUNCTION_NAME',
  /** Public base URL of the API, e.g. https://abc.execute-api.eu-west-1.amazonaws.com (optional; derived from the request when unset). */
  PUBLIC_BASE_URL: 'CAMREC_PUBLIC_BASE_URL',
} as const;
