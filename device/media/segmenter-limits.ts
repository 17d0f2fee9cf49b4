import { DEFAULT_MAX_NAL_BYTES } from '../../media/bitstream/annexb-splitter.ts';
import { PTS_HZ } from '../../media/ts/ts-constants.ts';
import type { SegmenterOptions, VideoTiming } from './segmenter-options.ts';

const DEFAULT_TARGET_SECONDS = 6;
const DEFAULT_MAX_FRAME_GAP_MS = 3000;
const DEFAULT_MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Without maxSegmentSeconds: this many targets, and never under MIN_MAX_SEGMENT_SECONDS. */
const MAX_SEGMENT_TARGETS = 5;
const MIN_MAX_SEGMENT_SECONDS = 30;

/** SegmenterOptions checked, defaults filled in. */
export interface SegmenterLimits {
  readonly targetSeconds: number;
  readonly timing: VideoTiming;
  readonly maxFrameGapMs: number;
  readonly maxFrameBytes: number;
  readonly maxSegmentBytes: number;
  readonly maxSegmentTicks: number;
}

/** Checks the numbers of SegmenterOptions (RangeError naming the bad one) and fills in defaults. */
export function segmenterLimits(options: SegmenterOptions): SegmenterLimits {
  const targetSeconds = options.targetSegmentSeconds ?? DEFAULT_TARGET_SECONDS;
  if (!(targetSeconds > 0 && targetSeconds <= 600)) throw new RangeError(`targetSegmentSeconds=${targetSeconds}: must be more than 0 and at most 600`);
  const timing = options.videoTiming ?? { kind: 'arrival' };
  if (timing.kind === 'frame-rate' && timing.fps !== undefined && !(timing.fps > 0 && timing.fps <= 300)) {
    throw new RangeError(`fps=${timing.fps}: must be more than 0 and at most 300`);
  }
  if (options.container !== undefined && options.container !== 'ts' && options.container !== 'fmp4') {
    throw new RangeError(`container=${JSON.stringify(options.container)}: must be 'ts' or 'fmp4'`);
  }
  if (options.videoCodec !== undefined && options.videoCodec !== 'h264' && options.videoCodec !== 'h265') {
    throw new RangeError(`videoCodec=${JSON.stringify(options.videoCodec)}: must be 'h264' or 'h265'`);
  }
  return {
    targetSeconds,
    timing,
    maxFrameGapMs: options.maxFrameGapMs ?? DEFAULT_MAX_FRAME_GAP_MS,
    maxFrameBytes: positiveOption('maxFrameBytes', options.maxFrameBytes, DEFAULT_MAX_NAL_BYTES),
    maxSegmentBytes: positiveOption('maxSegmentBytes', options.maxSegmentBytes, DEFAULT_MAX_SEGMENT_BYTES),
    maxSegmentTicks: Math.round(
      PTS_HZ * positiveOption('maxSegmentSeconds', options.maxSegmentSeconds, Math.max(MAX_SEGMENT_TARGETS * targetSeconds, MIN_MAX_SEGMENT_SECONDS)),
    ),
  };
}

function positiveOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`${name}=${value}: must be more than 0`);
  return value;
}
