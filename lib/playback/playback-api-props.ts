import type { RemovalPolicy } from 'aws-cdk-lib';
import type { ClipExport } from '../clips/clip-export.ts';
import type { ContentKey } from '../keys/content-key.ts';
import { PipelineLimit, PropsChecker } from '../settings.ts';
import type { SegmentIndex } from '../storage/segment-index.ts';
import type { SegmentStore } from '../storage/segment-store.ts';

export interface PlaybackApiProps {
  readonly store: SegmentStore;
  readonly index: SegmentIndex;
  readonly contentKey: ContentKey;
  /**
   * Segment length the cameras aim for (device.json segmentSeconds).
   * @default 6 (SegmentSeconds.DEFAULT in contract/, the agent's own default)
   */
  readonly segmentSeconds?: number;
  /**
   * Fixed EXT-X-TARGETDURATION of every playlist; must be >= the longest segment.
   * @default targetDurationSeconds(segmentSeconds) from contract/: segmentSeconds rounded up
   * (the agent never lets a segment run past it; local mode uses the same formula)
   */
  readonly targetDurationSeconds?: number;
  /**
   * Segments in a LIVE playlist's sliding window.
   * @default 5
   */
  readonly liveWindowSegments?: number;
  /**
   * Browser origins allowed to call the API (CORS).
   * @default ['*']
   */
  readonly corsOrigins?: readonly string[];
  /**
   * Steady-state request rate of the whole API (requests per second).
   * @default 100
   */
  readonly throttleRatePerSecond?: number;
  /**
   * Burst of requests allowed above the rate.
   * @default 200
   */
  readonly throttleBurstRequests?: number;
  /**
   * What happens to the token secret when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Wrapped keys in the legacy unbound format (agents before key format 2) are served
   * only if S3 stored them before this ISO 8601 time. S3's LastModified cannot be forged by
   * a camera, so a key copied from another camera's prefix after the cutoff is refused.
   * Set it to the time you upgraded the agents if recordings made before then must stay playable.
   * @default - the legacy format is refused
   */
  readonly unboundKeysStoredBefore?: string;
  /**
   * Clip export: the API serves the clip routes and starts exports with it.
   * @default - the clip routes answer 404 clips_not_configured
   */
  readonly clips?: ClipExport;
  /** @default lambda/api/handler.ts */
  readonly apiEntry?: string;
  /** @default lambda/keys/handler.ts */
  readonly keysEntry?: string;
  /**
   * Silence after which the status route calls a camera offline (match CameraEvents).
   * @default 90
   */
  readonly offlineAfterSeconds?: number;
}

/** Checks the resolved props; collects every problem and throws once (PropsChecker), with the bad value and the fix. */
export function validatePlaybackApiProps(v: {
  segmentSeconds: number;
  targetDurationSeconds: number;
  liveWindowSegments: number;
  corsOrigins: string[];
  props: PlaybackApiProps;
}): void {
  new PropsChecker('PlaybackApi')
    .numberInRange('segmentSeconds', v.segmentSeconds, PipelineLimit.SEGMENT_SECONDS_MIN, PipelineLimit.SEGMENT_SECONDS_MAX)
    .wholeInRange('targetDurationSeconds', v.targetDurationSeconds, PipelineLimit.TARGET_DURATION_MIN_SECONDS, PipelineLimit.TARGET_DURATION_MAX_SECONDS)
    .require(
      v.targetDurationSeconds >= Math.ceil(v.segmentSeconds),
      `targetDurationSeconds=${v.targetDurationSeconds} must be >= ceil(segmentSeconds)=${Math.ceil(v.segmentSeconds)} (RFC 8216 4.3.3.1); raise it`,
    )
    .wholeInRange('liveWindowSegments', v.liveWindowSegments, PipelineLimit.LIVE_WINDOW_SEGMENTS_MIN, PipelineLimit.LIVE_WINDOW_SEGMENTS_MAX)
    .require(v.corsOrigins.length > 0, "corsOrigins must name at least one origin, or ['*']")
    .require(
      v.corsOrigins.every((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)),
      `corsOrigins=${JSON.stringify(v.corsOrigins)}: each must be '*' or scheme://host[:port] with no path`,
    )
    .require(
      v.props.unboundKeysStoredBefore === undefined ||
        (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(v.props.unboundKeysStoredBefore) &&
          Number.isFinite(Date.parse(v.props.unboundKeysStoredBefore))),
      `unboundKeysStoredBefore=${JSON.stringify(v.props.unboundKeysStoredBefore)} must be an ISO 8601 time with a zone, e.g. 2026-12-01T00:00:00Z`,
    )
    .wholeInRange('throttleRatePerSecond', v.props.throttleRatePerSecond, 1, 100_000)
    .wholeInRange('throttleBurstRequests', v.props.throttleBurstRequests, 1, 100_000)
    .throwIfAny();
}
