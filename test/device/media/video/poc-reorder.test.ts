import { describe, expect, it } from 'vitest';
import { PocReorder } from '../../../../device/media/video/poc-reorder.ts';

const F = 3600; // one frame at 25 fps, 90 kHz

/** Pushes pictures (POC in decode order) at one frame per decode slot; returns [name, pts, dts] as they leave, in frames. */
function run(pocs: Array<number | [number, 'start']>, maxReorder: number): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  const r = new PocReorder<number>((poc, pts, dts) => out.push([poc, pts / F, dts / F]));
  pocs.forEach((p, i) => {
    const [poc, start] = Array.isArray(p) ? [p[0], true] : [p, i === 0];
    r.push(poc, (10 + i) * F, poc, start, maxReorder, F);
  });
  r.flush(F);
  return out;
}

describe('PocReorder: presentation times from picture order counts (raw H.265)', () => {
  it('no reordering (sps_max_num_reorder_pics 0): pts = dts, decode order kept', () => {
    expect(run([0, 1, 2, 3], 0)).toEqual([
      [0, 10, 10],
      [1, 11, 11],
      [2, 12, 12],
      [3, 13, 13],
    ]);
  });

  it('I P B B (reorder 2): B-frames presented between, every picture one frame apart, decode order out, pts >= dts', () => {
    // Decode order I0 P3 B1 B2 P6 B4 B5; shown I0 B1 B2 P3 B4 B5 P6 at slots 10..16 (dts lead by 2 frames).
    const out = run([0, 3, 1, 2, 6, 4, 5], 2);
    expect(out.map(([poc]) => poc)).toEqual([0, 3, 1, 2, 6, 4, 5]);
    const ptsByPoc = new Map(out.map(([poc, pts]) => [poc, pts]));
    expect([0, 1, 2, 3, 4, 5, 6].map((p) => ptsByPoc.get(p))).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(out.map(([, , dts]) => dts)).toEqual([8, 9, 10, 11, 12, 13, 14]);
    for (const [, pts, dts] of out) expect(pts).toBeGreaterThanOrEqual(dts);
  });

  it('a picture that starts a sequence (IDR) first outputs every picture waiting, then counts anew', () => {
    // Two closed GOPs: I0 P2 B1 | IDR0 P2 B1 (POCs restart at the IDR).
    const out = run([0, 2, 1, [0, 'start'], 2, 1], 1);
    expect(out.map(([poc, pts]) => [poc, pts])).toEqual([
      [0, 10],
      [2, 12],
      [1, 11],
      [0, 13],
      [2, 15],
      [1, 14],
    ]);
  });

  it('holds at most 64 pictures even when POCs never let one out', () => {
    const out: number[] = [];
    const r = new PocReorder<number>((n) => out.push(n));
    for (let i = 0; i < 100; i++) r.push(i, i * F, 1000 - i, i === 0, 16, F);
    expect(r.size).toBeLessThanOrEqual(64);
    expect(out.length).toBeGreaterThan(0);
  });
});
