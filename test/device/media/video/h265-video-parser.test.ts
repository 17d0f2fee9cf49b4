import { describe, expect, it } from 'vitest';
import { H265VideoParser } from '../../../../device/media/video/h265-video-parser.ts';
import type { VideoUnit } from '../../../../device/media/video/video-unit.ts';
import { events, hex, HEVC } from '../stage-fixtures.ts';

function parser(): { units: VideoUnit[]; p: H265VideoParser; push: (nals: Uint8Array[]) => void } {
  const units: VideoUnit[] = [];
  const p = new H265VideoParser((u) => units.push(u), 1 << 20);
  return {
    units,
    p,
    push: (nals) => {
      for (const e of events(nals)) p.push(e);
      p.flush();
    },
  };
}

const SETS = [HEVC.VPS, HEVC.SPS, HEVC.PPS];

describe('H265VideoParser: access units, parameter sets, picture order, codec string', () => {
  it('an IDR with its VPS/SPS/PPS is a key unit; the config gives the hvc1 codec string, size and reorder depth', () => {
    const { units, p, push } = parser();
    push([HEVC.AUD, ...SETS, HEVC.IDR, HEVC.AUD, HEVC.trailP(4), HEVC.trailB(1)]);
    expect(units.map((u) => [u.isKey, u.hasAud, u.sent.vps && u.sent.sps && u.sent.pps, u.order?.poc, u.order?.startsSequence])).toEqual([
      [true, true, true, 0, true],
      [false, true, false, 4, false],
      [false, false, false, 1, false],
    ]);
    expect(p.config()).toMatchObject({ codec: 'h265', codecString: 'hvc1.1.6.L60.90', width: 426, height: 240, fps: 25, maxReorder: 2 });
    expect([p.config()!.vps.length, p.config()!.sps.length, p.config()!.pps.length]).toEqual([1, 1, 1]);
  });

  it('a picture before any parameter sets says they are missing (nothing can decode it)', () => {
    const { units, push } = parser();
    push([HEVC.IDR]);
    expect(units[0]).toMatchObject({ isKey: true, missingParameterSets: true });
    expect(units[0]!.order).toBeUndefined();
  });

  it('a CRA that starts decoding makes its RASL pictures undecodable; after a later CRA they decode', () => {
    const { units, push } = parser();
    push([...SETS, HEVC.cra(8), HEVC.raslB(6), HEVC.trailP(12), HEVC.cra(24), HEVC.raslB(20)]);
    expect(units.map((u) => [u.isKey, u.order!.poc, u.order!.undecodable])).toEqual([
      [true, 8, false],
      [false, 6, true],
      [false, 12, false],
      [true, 24, false],
      [false, 20, false],
    ]);
  });

  it('restart(): the next CRA starts decoding again (a discontinuity), so its RASL pictures are dropped', () => {
    const { units, p, push } = parser();
    push([...SETS, HEVC.IDR, HEVC.trailP(4)]);
    p.restart();
    push([HEVC.trailP(8), HEVC.cra(16), HEVC.raslB(14), HEVC.trailP(20)]);
    expect(units.slice(2).map((u) => [u.order!.startsSequence, u.order!.undecodable])).toEqual([
      [false, false],
      [true, false],
      [false, true],
      [false, false],
    ]);
  });

  it('a parameter set that does not parse marks its unit corrupt; a new SPS is an encoder change', () => {
    const { units, push } = parser();
    push([...SETS, HEVC.IDR, HEVC.SPS.subarray(0, 8), HEVC.IDR]);
    expect(units[1]!.corrupt).toMatch(/SPS .* does not parse/);
    // libx265 1920x1080 High tier level 4.0, SPS id 0 as well (test/media/h265/parameter-sets.test.ts): another configuration.
    const hdSps = hex('420101216000000300900000030000030078a003c0801107cb965654a4c2f01680800001f480003a9830924b370000989680004c4b44');
    const b = parser();
    b.push([...SETS, HEVC.IDR, HEVC.VPS, hdSps, HEVC.PPS, HEVC.IDR]);
    expect(b.units.map((u) => [u.encoderChanged, u.setsChanged, u.corrupt])).toEqual([
      [false, false, undefined],
      [true, true, undefined],
    ]);
    expect(b.p.config()).toMatchObject({ width: 1920, height: 1080, codecString: 'hvc1.1.6.H120.90' });
  });
});
