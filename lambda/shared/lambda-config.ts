import { LambdaEnv, Liveness, PACK_PERIOD_MS, PlaybackLimit, PackDefault, SegmentSeconds, targetDurationSeconds } from '../../contract/index.ts';
import { ConfigError } from './playback-error.ts';

/** Configuration every handler reads once at cold start. */
export interface PlaybackConfig {
  bucketName: string;
  tableName: string;
  /** Fixed EXT-X-TARGETDURATION, whole seconds. */
  targetDurationSeconds: number;
  liveWindowSegments: number;
  retentionDays: number;
  /** Allowed CORS origins; ['*'] for any. */
  corsOrigins: string[];
  /** Absolute base URL of the API (no trailing slash), or undefined to derive it per request. */
  publicBaseUrl?: string;
  /** Key route: legacy unbound wrapped keys are served only if stored before this (UTC ms); undefined refuses them. */
  unboundKeysStoredBeforeMs?: number;
  /** Silence after which a camera counts as offline, ms. */
  offlineAfterMs: number;
  /** The notification bus, if notifications are on. */
  eventBusName?: string;
  /** The offline-watch queue, if the watch is on. */
  watchQueueUrl?: string;
  /** Days footage an event covers is kept (>= retentionDays). */
  eventRetentionDays: number;
  /** Packed history: the pack hour, the grace before packing, how long hot copies outlive their pack, how long segment items live. */
  packPeriodMs: number;
  packGraceMs: number;
  packDrainMs: number;
  hotIndexDays: number;
}

/** Default silence after which a camera counts as offline (contract/liveness.ts). */
export const DEFAULT_OFFLINE_AFTER_SECONDS = Liveness.OFFLINE_AFTER_SECONDS;

type Env = Record<string, string | undefined>;

/** Which variables each handler needs; the CDK stack sets at least these. */
export const RequiredEnv = {
  indexer: [LambdaEnv.BUCKET_NAME, LambdaEnv.TABLE_NAME, LambdaEnv.RETENTION_DAYS],
  api: [
    LambdaEnv.BUCKET_NAME,
    LambdaEnv.TABLE_NAME,
    LambdaEnv.TARGET_DURATION_SECONDS,
    LambdaEnv.LIVE_WINDOW_SEGMENTS,
    LambdaEnv.TOKEN_SECRET_ID,
    LambdaEnv.CORS_ORIGINS,
  ],
  keys: [
    LambdaEnv.BUCKET_NAME,
    LambdaEnv.TABLE_NAME,
    LambdaEnv.TARGET_DURATION_SECONDS,
    LambdaEnv.LIVE_WINDOW_SEGMENTS,
    LambdaEnv.TOKEN_SECRET_ID,
    LambdaEnv.CONTENT_KEY_ID,
    LambdaEnv.CORS_ORIGINS,
  ],
  offlineChecker: [LambdaEnv.TABLE_NAME, LambdaEnv.EVENT_BUS_NAME, LambdaEnv.WATCH_QUEUE_URL, LambdaEnv.OFFLINE_AFTER_SECONDS],
  packer: [
    LambdaEnv.BUCKET_NAME,
    LambdaEnv.TABLE_NAME,
    LambdaEnv.RETENTION_DAYS,
    LambdaEnv.PACK_STORAGE_CLASS,
    LambdaEnv.EVENT_PACK_STORAGE_CLASS,
    LambdaEnv.PACK_DRAIN_SECONDS,
  ],
  sweeper: [LambdaEnv.TABLE_NAME, LambdaEnv.PACKER_FUNCTION_NAME],
  clipExport: [LambdaEnv.BUCKET_NAME, LambdaEnv.TABLE_NAME, LambdaEnv.CONTENT_KEY_ID, LambdaEnv.CLIP_KEY_ID],
} as const;

/** S3 storage classes a pack may be written in (instant access: players read ranges at once). */
export const PACK_STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'GLACIER_IR', 'INTELLIGENT_TIERING'] as const;

/** The packer's storage classes from the environment; throws ConfigError naming each bad one. */
export function readPackStorageClasses(env: Env): { storageClass: string; eventStorageClass: string } {
  const problems: string[] = [];
  const read = (name: string): string => {
    const v = env[name] ?? '';
    if (!(PACK_STORAGE_CLASSES as readonly string[]).includes(v))
      problems.push(`${name}=${JSON.stringify(v)} must be one of ${PACK_STORAGE_CLASSES.join(', ')}`);
    return v;
  };
  const out = { storageClass: read(LambdaEnv.PACK_STORAGE_CLASS), eventStorageClass: read(LambdaEnv.EVENT_PACK_STORAGE_CLASS) };
  if (problems.length) throw new ConfigError(`bad configuration: ${problems.join('; ')}`);
  return out;
}

export function requireEnv(env: Env, names: readonly string[]): void {
  const missing = names.filter((n) => !env[n]);
  if (missing.length)
    throw new ConfigError(`missing environment variable(s) ${missing.join(', ')}: the CDK stack sets them; set them when running a handler by hand`);
}

function wholeInRange(env: Env, name: string, min: number, max: number, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) problems.push(`${name}=${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`);
  return n;
}

/** Parses the environment; collects every problem and throws once. */
export function readPlaybackConfig(env: Env, required: readonly string[]): PlaybackConfig {
  requireEnv(env, required);
  const problems: string[] = [];
  const retentionDays = wholeInRange(
    env,
    LambdaEnv.RETENTION_DAYS,
    PlaybackLimit.RETENTION_DAYS_MIN,
    PlaybackLimit.RETENTION_DAYS_MAX,
    PlaybackLimit.RETENTION_DAYS_DEFAULT,
    problems,
  );
  const config: PlaybackConfig = {
    bucketName: env[LambdaEnv.BUCKET_NAME] ?? '',
    tableName: env[LambdaEnv.TABLE_NAME] ?? '',
    targetDurationSeconds: wholeInRange(
      env,
      LambdaEnv.TARGET_DURATION_SECONDS,
      PlaybackLimit.TARGET_DURATION_MIN_SECONDS,
      PlaybackLimit.TARGET_DURATION_MAX_SECONDS,
      targetDurationSeconds(SegmentSeconds.DEFAULT),
      problems,
    ),
    liveWindowSegments: wholeInRange(
      env,
      LambdaEnv.LIVE_WINDOW_SEGMENTS,
      PlaybackLimit.LIVE_WINDOW_SEGMENTS_MIN,
      PlaybackLimit.LIVE_WINDOW_SEGMENTS_MAX,
      PlaybackLimit.LIVE_WINDOW_SEGMENTS_DEFAULT,
      problems,
    ),
    retentionDays,
    corsOrigins: (env[LambdaEnv.CORS_ORIGINS] ?? '*')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    offlineAfterMs:
      wholeInRange(
        env,
        LambdaEnv.OFFLINE_AFTER_SECONDS,
        Liveness.OFFLINE_AFTER_MIN_SECONDS,
        Liveness.OFFLINE_AFTER_MAX_SECONDS,
        DEFAULT_OFFLINE_AFTER_SECONDS,
        problems,
      ) * 1000,
    eventRetentionDays: wholeInRange(
      env,
      LambdaEnv.EVENT_RETENTION_DAYS,
      PlaybackLimit.RETENTION_DAYS_MIN,
      PlaybackLimit.RETENTION_DAYS_MAX,
      retentionDays,
      problems,
    ),
    packPeriodMs: PACK_PERIOD_MS,
    packGraceMs: wholeInRange(env, LambdaEnv.PACK_GRACE_SECONDS, 0, 86_400, PackDefault.GRACE_MS / 1000, problems) * 1000,
    packDrainMs: wholeInRange(env, LambdaEnv.PACK_DRAIN_SECONDS, 0, 7 * 86_400, PackDefault.DRAIN_MS / 1000, problems) * 1000,
    hotIndexDays: wholeInRange(env, LambdaEnv.HOT_INDEX_DAYS, 1, 3650, PackDefault.HOT_INDEX_DAYS, problems),
  };
  if (config.eventRetentionDays < retentionDays)
    problems.push(`${LambdaEnv.EVENT_RETENTION_DAYS}=${config.eventRetentionDays} must be at least ${LambdaEnv.RETENTION_DAYS}=${retentionDays}`);
  if (env[LambdaEnv.EVENT_BUS_NAME]) config.eventBusName = env[LambdaEnv.EVENT_BUS_NAME];
  const queue = env[LambdaEnv.WATCH_QUEUE_URL];
  if (queue) {
    if (!/^https:\/\/\S+$/.test(queue)) problems.push(`${LambdaEnv.WATCH_QUEUE_URL}=${JSON.stringify(queue)} must be an SQS queue URL (https://...)`);
    config.watchQueueUrl = queue;
  }
  const base = env[LambdaEnv.PUBLIC_BASE_URL];
  if (base) {
    if (!/^https?:\/\/[^\s]+$/.test(base)) problems.push(`${LambdaEnv.PUBLIC_BASE_URL}=${JSON.stringify(base)} must be an http(s) URL`);
    config.publicBaseUrl = base.replace(/\/+$/, '');
  }
  const cutoff = env[LambdaEnv.UNBOUND_KEYS_STORED_BEFORE];
  if (cutoff) {
    const ms = Date.parse(cutoff);
    if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(cutoff) || !Number.isFinite(ms))
      problems.push(`${LambdaEnv.UNBOUND_KEYS_STORED_BEFORE}=${JSON.stringify(cutoff)} must be an ISO 8601 time with a zone, e.g. 2026-12-01T00:00:00Z`);
    else config.unboundKeysStoredBeforeMs = ms;
  }
  if (problems.length) throw new ConfigError(`bad configuration: ${problems.join('; ')}`);
  return config;
}

/** The ids of the AWS resources a function calls, checked present at cold start (the CDK sets them). */
export interface ResourceIds {
  /** Secrets Manager id (ARN) of the session-token HMAC secret. */
  tokenSecretId: string;
  /** KMS key id (ARN) of the content key; only the keys function has it. */
  contentKeyId: string;
  /** The packer function the sweeper invokes. */
  packerFunctionName: string;
  /** KMS key id (ARN) clip objects are encrypted with (clip export). */
  clipKeyId: string;
}

const RESOURCE_ENV: Record<keyof ResourceIds, string> = {
  tokenSecretId: LambdaEnv.TOKEN_SECRET_ID,
  contentKeyId: LambdaEnv.CONTENT_KEY_ID,
  packerFunctionName: LambdaEnv.PACKER_FUNCTION_NAME,
  clipKeyId: LambdaEnv.CLIP_KEY_ID,
};

/**
 * A handler's configuration with the resource ids it names, typed: `ids` lists the ones
 * this function needs; each is required (missing ones throw one ConfigError at cold
 * start, with the rest of the configuration's problems), so no handler reads
 * `process.env[...]!`.
 */
export function readHandlerConfig<K extends keyof ResourceIds>(
  env: Env,
  required: readonly string[],
  ids: readonly K[],
): PlaybackConfig & Pick<ResourceIds, K> {
  const names = ids.map((k) => RESOURCE_ENV[k]);
  const config = readPlaybackConfig(env, [...new Set([...required, ...names])]);
  const picked = Object.fromEntries(ids.map((k) => [k, env[RESOURCE_ENV[k]] as string])) as Pick<ResourceIds, K>;
  return { ...config, ...picked };
}
