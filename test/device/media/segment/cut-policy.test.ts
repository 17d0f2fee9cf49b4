import { describe, expect, it } from 'vitest';
import { cutAtIdr, cutRuleFor, GopTracker } from '../../../../device/media/segment/cut-policy.ts';

const S = 90_000;
const FRAME_25 = 3600;

/** Segment lengths (s) the rule makes from IDRs at these presentation times (s). */
function segmentsFor(targetS: number, idrTimesS: number[], frameTicks = FRAME_25): number[] {
  const rule = cutRuleFor(targetS);
  const gop = new GopTracker();
  const out: number[] = [];
  let start = idrTimesS[0]! * S;
  gop.idr(start);
  for (const t of idrTimesS.slice(1).map((x) => Math.round(x * S))) {
    gop.idr(t);
    if (cutAtIdr(rule, { elapsedTicks: t - start, frameTicks, gopTicks: gop.gopTicks })) {
      out.push((t - start) / S);
      start = t;
    }
  }
  return out;
}
const every = (gopS: number, untilS: number) => Array.from({ length: Math.floor(untilS / gopS) + 1 }, (_, i) => i * gopS);

describe('cut rule: first IDR at or after (target - half a frame), never past TARGETDURATION when the GOP allows', () => {
  it('a GOP that divides the target gives segments of exactly the target', () => {
    expect(segmentsFor(2, every(2, 20))).toEqual(Array(10).fill(2));
    expect(segmentsFor(2, every(1, 10))).toEqual(Array(5).fill(2));
    expect(segmentsFor(6, every(2, 24))).toEqual(Array(4).fill(6));
  });

  it('an IDR a little early (timestamp jitter under half a frame) still closes the segment: no 2 s / 4 s alternation', () => {
    const jittered = every(2, 20).map((t, i) => (i % 2 ? t - 0.015 : t + 0.01));
    const segs = segmentsFor(2, jittered);
    expect(segs).toHaveLength(10);
    for (const s of segs) expect(s).toBeCloseTo(2, 1);
  });

  it('a 1.5 s GOP under a 2 s target: 1.5 s segments, never 3 s (the next IDR would pass TARGETDURATION 2)', () => {
    const segs = segmentsFor(2, every(1.5, 30));
    expect(segs.every((s) => s === 1.5)).toBe(true);
    expect(segs).toHaveLength(20);
  });

  it('a 4 s GOP under a 6 s target: 4 s segments; a 1.5 s GOP under 6 s: 6 s segments', () => {
    expect(segmentsFor(6, every(4, 40))).toEqual(Array(10).fill(4));
    expect(segmentsFor(6, every(1.5, 36))).toEqual(Array(6).fill(6));
  });

  it('a scene-cut IDR soon after the start makes no stub segment', () => {
    // 2 s GOP with one extra IDR 0.3 s into a segment.
    const segs = segmentsFor(2, [0, 2, 2.3, 4.3, 6.3, 8.3]);
    expect(segs).toEqual([2, 2.3, 2, 2]);
  });

  it('a GOP longer than the target cannot fit: segments run one GOP, and the tracker says so', () => {
    expect(segmentsFor(2, every(3, 15))).toEqual(Array(5).fill(3));
    const gop = new GopTracker();
    for (const t of every(3, 9)) gop.idr(t * S);
    expect(gop.tooLong(cutRuleFor(2), FRAME_25)).toBe(true);
    const ok = new GopTracker();
    for (const t of every(2, 8)) ok.idr(t * S + 100);
    expect(ok.tooLong(cutRuleFor(2), FRAME_25)).toBe(false);
  });

  it('the rule takes TARGETDURATION from the contract: 2.5 s segments may run to 3 s', () => {
    expect(cutRuleFor(2.5)).toEqual({ targetTicks: 2.5 * S, ceilingTicks: 3 * S });
    expect(segmentsFor(2.5, every(1, 12))).toEqual([3, 3, 3, 3]);
  });
});
