import { targetDurationSeconds } from '../../../contract/index.ts';
import { PTS_HZ } from '../../../media/ts/ts-constants.ts';

/**
 * Where a segment ends: a pure rule over presentation times (90 kHz ticks), asked at each
 * IDR in decode order. A segment always starts at an IDR, so it can only end at one.
 *
 * 1. At the first IDR at or after `target - half a frame` (so a GOP that divides the
 *    target gives segments of exactly the target, whatever the timestamp jitter).
 * 2. Earlier, at an IDR past half the target, when the camera's GOP (the longest of its
 *    last IDR intervals) would carry the segment past EXT-X-TARGETDURATION before the
 *    next IDR comes: a 1.5 s GOP under a 2 s target gives 1.5 s segments, never 3 s ones.
 *    (Before half the target it waits: a scene-cut IDR right after the start is no reason
 *    for a stub segment.)
 *
 * A GOP longer than the target cannot be fitted: those segments run one GOP long, and
 * `GopTracker.tooLong` says so (the fix is the camera's I-frame interval).
 */
export interface CutRule {
  /** Configured segment length. */
  readonly targetTicks: number;
  /** EXT-X-TARGETDURATION (the contract's formula), the length no segment may pass. */
  readonly ceilingTicks: number;
}

export function cutRuleFor(targetSegmentSeconds: number): CutRule {
  return {
    targetTicks: Math.round(targetSegmentSeconds * PTS_HZ),
    ceilingTicks: targetDurationSeconds(targetSegmentSeconds) * PTS_HZ,
  };
}

export interface CutAsk {
  /** Presentation time from the open segment's first IDR to this IDR. */
  readonly elapsedTicks: number;
  /** One frame's duration. */
  readonly frameTicks: number;
  /** The longest recent IDR-to-IDR interval, when known. */
  readonly gopTicks?: number;
}

/** True when the open segment ends at this IDR. */
export function cutAtIdr(rule: CutRule, ask: CutAsk): boolean {
  const half = ask.frameTicks / 2;
  if (ask.elapsedTicks >= rule.targetTicks - half) return true;
  if (ask.gopTicks === undefined || ask.elapsedTicks < rule.targetTicks / 2) return false;
  return ask.elapsedTicks + ask.gopTicks > rule.ceilingTicks + half;
}

/** IDR intervals remembered for the prediction (a few GOPs: adapts when the camera changes). */
const GOP_HISTORY = 4;

/**
 * The camera's GOP as seen in presentation time: the longest of its last few IDR
 * intervals (a scene-cut IDR shortens one interval, never the prediction).
 */
export class GopTracker {
  private lastIdrTicks: number | undefined;
  private readonly intervals: number[] = [];

  /** An IDR at this presentation time; returns the interval since the previous one, if any. */
  idr(ptsTicks: number): number | undefined {
    const last = this.lastIdrTicks;
    this.lastIdrTicks = ptsTicks;
    if (last === undefined || ptsTicks <= last) return undefined;
    const interval = ptsTicks - last;
    this.intervals.push(interval);
    if (this.intervals.length > GOP_HISTORY) this.intervals.shift();
    return interval;
  }

  /** The longest recent interval, or undefined before two IDRs. */
  get gopTicks(): number | undefined {
    return this.intervals.length ? Math.max(...this.intervals) : undefined;
  }

  /** Forget (a discontinuity: the next IDR starts a new count). */
  reset(): void {
    this.lastIdrTicks = undefined;
  }

  /** True when the camera's GOP is longer than the target can take. */
  tooLong(rule: CutRule, frameTicks: number): boolean {
    const gop = this.gopTicks;
    return gop !== undefined && gop > rule.targetTicks + frameTicks / 2;
  }
}

/** The warning for a camera whose GOP is longer than the segment length, with the fix. */
export function gopTooLongWarning(rule: CutRule, gopTicks: number, frameTicks: number, fps: number): string {
  const gopS = gopTicks / PTS_HZ;
  const targetS = rule.targetTicks / PTS_HZ;
  const exceeds = gopTicks > rule.ceilingTicks + frameTicks / 2;
  return (
    `the camera sends a key frame (IDR) every ${gopS.toFixed(2)} s, longer than the ${targetS} s segment length: segments run ${gopS.toFixed(2)} s` +
    (exceeds ? ` and exceed the playlists' EXT-X-TARGETDURATION of ${rule.ceilingTicks / PTS_HZ} s (players may stall)` : '') +
    `. Fix: set the camera's I-frame (keyframe/GOP) interval to at most ${targetS} s (${Math.max(1, Math.floor(targetS * fps + 1e-6))} frames at ${Math.round(fps * 100) / 100} fps), or raise segmentSeconds`
  );
}
