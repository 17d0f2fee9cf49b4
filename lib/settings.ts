import { Token } from 'aws-cdk-lib';
import { Liveness, PlaybackLimit, SegmentSeconds, targetDurationSeconds } from '../contract/index.ts';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { InvalidPropsError } from './infra-error.ts';

/**
 * Defaults and limits of every knob, as small pure functions and named values, so the
 * constructs hold no logic and a test can check each rule without synthesising.
 */
export const PipelineDefault = {
  RETENTION_DAYS: PlaybackLimit.RETENTION_DAYS_DEFAULT,
  ARCHIVE_AFTER_DAYS: 30,
  /** The agent's own default segment length (contract/segment-seconds.ts). */
  SEGMENT_SECONDS: SegmentSeconds.DEFAULT,
  LIVE_WINDOW_SEGMENTS: PlaybackLimit.LIVE_WINDOW_SEGMENTS_DEFAULT,
  CREDENTIAL_DURATION_SECONDS: 3600,
  CORS_ORIGINS: ['*'] as readonly string[],
  THROTTLE_RATE_PER_SECOND: 100,
  THROTTLE_BURST_REQUESTS: 200,
  /** The compactor's sweep for pack hours with work due. */
  PACK_SWEEP_MINUTES: 5,
  /** The packer: memory holds two part buffers (at most 64 MiB each) and a 32 MiB read-ahead. */
  PACKER_MEMORY_MB: 1024,
} as const;

/**
 * The storage class packs are written in, for footage kept `retentionDays`: whichever is
 * cheapest per GiB in `npm run cost` (bench/cost/cost-model.ts, packClassCost) with its
 * default viewing (30 h a camera-month), counting each class's minimum storage duration,
 * its retrieval fee and request prices (packs are far above the 128 KB minimum size):
 *   under 17 days   S3 Standard (IA's 30-day minimum costs more than Standard for the days kept)
 *   17 to 30 days   Standard-IA
 *   over 30 days    Glacier Instant Retrieval (its 90-day minimum and $0.03/GB retrieval are
 *                   cheaper than Standard-IA from 31 days on)
 * With `singleZone` (the opt-in `singleZonePacks`), One Zone-IA joins the choice (Standard-IA's
 * prices with 20% cheaper storage, in one Availability Zone), `npm run cost -- --pack-class
 * cheapest-one-zone`:
 *   under 14 days   S3 Standard
 *   14 to 38 days   One Zone-IA
 *   over 38 days    Glacier Instant Retrieval
 * test/bench/pack-storage-class.test.ts checks both rules against the cost model day by day.
 */
export function defaultPackStorageClass(retentionDays: number, o: { singleZone?: boolean } = {}): s3.StorageClass {
  if (o.singleZone) {
    if (retentionDays < 14) return new s3.StorageClass('STANDARD');
    if (retentionDays <= 38) return s3.StorageClass.ONE_ZONE_INFREQUENT_ACCESS;
    return s3.StorageClass.GLACIER_INSTANT_RETRIEVAL;
  }
  if (retentionDays < 17) return new s3.StorageClass('STANDARD');
  if (retentionDays <= 30) return s3.StorageClass.INFREQUENT_ACCESS;
  return s3.StorageClass.GLACIER_INSTANT_RETRIEVAL;
}

export const PipelineLimit = {
  /** IoT role alias credentialDurationSeconds range. */
  CREDENTIAL_DURATION_MIN_SECONDS: 900,
  CREDENTIAL_DURATION_MAX_SECONDS: 43_200,
  /** The agent accepts segmentSeconds in this range (contract/segment-seconds.ts). */
  SEGMENT_SECONDS_MIN: SegmentSeconds.MIN,
  SEGMENT_SECONDS_MAX: SegmentSeconds.MAX,
  /** RFC 8216 6.2.2: a live playlist should hold at least three target durations. */
  LIVE_WINDOW_SEGMENTS_MIN: PlaybackLimit.LIVE_WINDOW_SEGMENTS_MIN,
  LIVE_WINDOW_SEGMENTS_MAX: PlaybackLimit.LIVE_WINDOW_SEGMENTS_MAX,
  TARGET_DURATION_MIN_SECONDS: PlaybackLimit.TARGET_DURATION_MIN_SECONDS,
  TARGET_DURATION_MAX_SECONDS: PlaybackLimit.TARGET_DURATION_MAX_SECONDS,
  RETENTION_DAYS_MIN: PlaybackLimit.RETENTION_DAYS_MIN,
  RETENTION_DAYS_MAX: PlaybackLimit.RETENTION_DAYS_MAX,
  /** S3 refuses transitions to the IA classes before 30 days. */
  IA_MIN_TRANSITION_DAYS: 30,
} as const;

/**
 * EXT-X-TARGETDURATION is fixed from configuration and must be >= every segment: the
 * contract's formula, shared with the agent's cut rule and local mode (the agent never
 * lets a segment run past it).
 */
export function defaultTargetDurationSeconds(segmentSeconds: number): number {
  return targetDurationSeconds(segmentSeconds);
}

/** The role's maximum session must cover the role alias's credential duration. */
export function roleMaxSessionSeconds(credentialDurationSeconds: number): number {
  return Math.max(3600, credentialDurationSeconds);
}

/** Collects problems; `throwIfAny` throws one InvalidPropsError naming every one. */
export class PropsChecker {
  private readonly problems: string[] = [];
  constructor(private readonly construct: string) {}

  /** A whole number in [min, max]; unresolved tokens are left to CloudFormation. */
  wholeInRange(name: string, value: number | undefined, min: number, max: number, hint = ''): this {
    if (value === undefined || Token.isUnresolved(value)) return this;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name}=${value} must be a whole number from ${min} to ${max}${hint ? ` (${hint})` : ''}`);
    }
    return this;
  }

  numberInRange(name: string, value: number | undefined, min: number, max: number): this {
    if (value === undefined || Token.isUnresolved(value)) return this;
    if (!Number.isFinite(value) || value < min || value > max) this.problems.push(`${name}=${value} must be from ${min} to ${max}`);
    return this;
  }

  require(ok: boolean, problem: string): this {
    if (!ok) this.problems.push(problem);
    return this;
  }

  throwIfAny(): void {
    if (this.problems.length) throw new InvalidPropsError(this.construct, this.problems);
  }
}

/** Notifications: the offline watch and webhook delivery. */
export const NotificationDefault = {
  /** The agent heartbeats every 45 s while idle; two missed beats mean offline (contract/liveness.ts). */
  OFFLINE_AFTER_SECONDS: Liveness.OFFLINE_AFTER_SECONDS,
  WEBHOOK_RATE_PER_SECOND: 10,
  WEBHOOK_RETRY_ATTEMPTS: 10,
} as const;

export const NotificationLimit = {
  OFFLINE_AFTER_MIN_SECONDS: Liveness.OFFLINE_AFTER_MIN_SECONDS,
  /** SQS delays a message at most 15 minutes. */
  OFFLINE_AFTER_MAX_SECONDS: Liveness.OFFLINE_AFTER_MAX_SECONDS,
} as const;
