import type { ClipExportStarter } from '../clips/export-starter.ts';
import type { EventStore } from '../events/event-store.ts';
import type { ImageIndex } from '../images/image-index.ts';
import type { ClipObjectStore } from '../storage/clip-object-store.ts';
import type { SegmentIndex } from '../index/segment-index.ts';
import type { Presigner } from '../storage/object-store.ts';
import type { TokenSecrets } from '../token/token-secrets.ts';
import type { Clock } from '../shared/clock.ts';
import type { Log, MetricsSink } from '../shared/log.ts';
import type { PlaybackConfig } from '../shared/lambda-config.ts';

/** Everything the playback API core needs; the Lambda entry builds AWS-backed ones, local mode its own. */
export interface ApiDeps {
  config: Pick<PlaybackConfig, 'targetDurationSeconds' | 'liveWindowSegments' | 'corsOrigins' | 'publicBaseUrl'> &
    Partial<Pick<PlaybackConfig, 'offlineAfterMs' | 'packPeriodMs'>>;
  index: SegmentIndex;
  /** The newest event per camera, for the status route. @default the status answers no last event */
  events?: Pick<EventStore, 'newestEvent'>;
  /** Pictures, for the timeline's strip and event pictures. @default the timeline lists none */
  images?: Pick<ImageIndex, 'queryImages'>;
  presigner: Presigner;
  /** Clip export: the clips/ objects and how an export is started. @default the clip routes answer 404 clips_not_configured */
  clips?: { objects: ClipObjectStore; startExport: ClipExportStarter };
  tokenSecrets: TokenSecrets;
  clock: Clock;
  log?: Log;
  metrics?: MetricsSink;
  /**
   * How long a camera's LIVE playlist is served from memory to every session of it
   * (see playlist/live-playlist-cache.ts); 0 reads the index on every poll.
   * @default min(1 s, targetDuration / 4)
   */
  liveCacheTtlMs?: number;
}

/** Lifetime of the presigned GET a segment or pack route redirects to. */
export const SEGMENT_PRESIGN_SECONDS = 300;
