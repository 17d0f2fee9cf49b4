import { MONTH_DAYS, MONTH_SECONDS } from './cost-units.ts';
import { DEFAULT_HISTORY_VIEWING_SHARE, DEFAULT_HOT_HOURS, type PackingScenario } from './packing-cost.ts';
import type { RequestCounts } from './request-counts.ts';

/** What the cost model is asked about (one camera's bitrate, retention, viewing, ...) and how often each billable thing then happens per month. */
export const ColdStorageClass = { STANDARD_IA: 'STANDARD_IA', GLACIER_IR: 'GLACIER_IR' } as const;
export type ColdStorageClass = (typeof ColdStorageClass)[keyof typeof ColdStorageClass];

export const ContentKeySpec = { RSA_2048: 'RSA_2048', RSA_3072: 'RSA_3072', RSA_4096: 'RSA_4096' } as const;
export type ContentKeySpec = (typeof ContentKeySpec)[keyof typeof ContentKeySpec];

export interface CostScenario {
  /** Media bitrate (video + audio) the camera encodes. */
  readonly bitrateMbps: number;
  readonly retentionDays: number;
  readonly segmentSeconds: number;
  /** @default 3600 */
  readonly keyRotationSeconds: number;
  /** Event records (motion, doorbell, ...) per camera per day. */
  readonly eventsPerDay: number;
  /** Hours of video watched per camera-month (live or recorded). */
  readonly viewingHoursPerMonth: number;
  /** Average length of one playback session (one session token, one player). */
  readonly viewingSessionMinutes: number;
  /** Cameras sharing one deployment's fixed costs (the KMS key, the token secret). */
  readonly camerasPerDeployment: number;
  /** The RSA content-key pair in KMS; prices RSA 2048 requests as symmetric ones. */
  readonly contentKeySpec: ContentKeySpec;
  /** Optional S3 lifecycle: move segments to a colder class after some days (unpacked history only). */
  readonly lifecycle?: { readonly transitionAfterDays: number; readonly toClass: ColdStorageClass };
  /** Packed history (what the stack does): hot segments for hours, then one pack per camera-hour in a colder class. */
  readonly packing?: PackingScenario;
}

export const DEFAULT_SCENARIO: CostScenario = {
  bitrateMbps: 2,
  retentionDays: 30,
  segmentSeconds: 2,
  keyRotationSeconds: 3600,
  eventsPerDay: 24,
  viewingHoursPerMonth: 30,
  viewingSessionMinutes: 10,
  camerasPerDeployment: 100,
  /** What lib/keys/content-key.ts creates. */
  contentKeySpec: ContentKeySpec.RSA_2048,
  packing: { storageClass: 'cheapest', hotHours: DEFAULT_HOT_HOURS, historyViewingShare: DEFAULT_HISTORY_VIEWING_SHARE },
};

/** How often each billable activity happens in one camera-month. */
export interface MonthlyActivity {
  readonly segments: number;
  readonly keyRotations: number;
  readonly events: number;
  readonly viewingSeconds: number;
  readonly sessions: number;
  readonly segmentsWatched: number;
  readonly playlistRequests: number;
  readonly keyFetches: number;
}

export function monthlyActivity(s: CostScenario, counts: RequestCounts): MonthlyActivity {
  const viewingSeconds = s.viewingHoursPerMonth * 3600;
  const sessionSeconds = s.viewingSessionMinutes * 60;
  const segmentsWatched = viewingSeconds / s.segmentSeconds;
  const sessions = viewingSeconds / sessionSeconds;
  return {
    segments: MONTH_SECONDS / s.segmentSeconds,
    keyRotations: MONTH_SECONDS / s.keyRotationSeconds,
    events: s.eventsPerDay * MONTH_DAYS,
    viewingSeconds,
    sessions,
    segmentsWatched,
    playlistRequests: segmentsWatched * counts.viewing.playlistRequestsPerSegment,
    // A session of length L sees on average 1 + L / rotation distinct keys.
    keyFetches: sessions + viewingSeconds / s.keyRotationSeconds,
  };
}

/** Bytes per second the camera produces (media only, what KVS ingests). */
export const mediaBytesPerSecond = (bitrateMbps: number): number => (bitrateMbps * 1_000_000) / 8;
