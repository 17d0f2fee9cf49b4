import { describe, expect, it } from 'vitest';
import { H264VideoParser } from '../../../../device/media/video/h264-video-parser.ts';
import type { VideoUnit } from '../../../../device/media/video/video-unit.ts';
import { AVC, events } from '../stage-fixtures.ts';

function parse(nals: Uint8Array[]): { units: VideoUnit[]; parser: H264VideoParser } {
  const units: VideoUnit[] = [];
  const parser = new H264VideoParser((u) => units.push(u), 1 << 20);
  for (const e of events(nals)) parser.push(e);
  parser.flush();
  return { units, parser };
}

describe('H264VideoParser: access units, parameter sets, codec string', () => {
  it('groups AUD + SPS + PPS + IDR into one key unit, then a P unit; the config is the sets in force', () => {
    const { units, parser } = parse([AVC.AUD, AVC.SPS, AVC.PPS, AVC.IDR, AVC.AUD, AVC.P]);
    expect(units.map((u) => [u.nals.length, u.isKey, u.hasAud, u.sent.sps, u.sent.pps, u.missingParameterSets])).toEqual([
      [4, true, true, true, true, false],
      [2, false, true, false, false, false],
    ]);
    expect(parser.config()).toMatchObject({ codec: 'h264', codecString: 'avc1.4d401e', width: 640, height: 360, fps: 25, vps: [], maxReorder: 0 });
    expect(parser.config()!.sps).toEqual([AVC.SPS]);
    expect(parser.config()!.pps).toEqual([AVC.PPS]);
  });

  it('an IDR before any SPS/PPS says its parameter sets are missing', () => {
    expect(parse([AVC.IDR]).units[0]).toMatchObject({ isKey: true, missingParameterSets: true });
  });

  it('a new SPS is an encoder change (the PPS cache starts over); the same bytes again are no change', () => {
    const { units, parser } = parse([AVC.SPS, AVC.PPS, AVC.IDR, AVC.SPS, AVC.PPS, AVC.IDR, AVC.SPS_LEVEL_31, AVC.PPS, AVC.IDR]);
    expect(units.map((u) => [u.encoderChanged, u.setsChanged])).toEqual([
      [false, false],
      [false, false],
      [true, true],
    ]);
    expect(parser.config()!.codecString).toBe('avc1.4d401f');
    expect(parser.config()!.generation).toBe(2); // +1 per access unit whose sets changed
  });

  it('a PPS id sent again with other bytes changes the sets, not the encoder', () => {
    const { units } = parse([AVC.SPS, AVC.PPS, AVC.IDR, AVC.PPS_CHANGED, AVC.IDR]);
    expect(units[1]).toMatchObject({ encoderChanged: false, setsChanged: true });
  });

  it('a B slice is well-formed under Main with a known PPS, malformed when it names a PPS never sent', () => {
    const { units } = parse([AVC.SPS, AVC.PPS, AVC.IDR, AVC.B, AVC.B_UNKNOWN_PPS]);
    expect(units.map((u) => u.bSlice)).toEqual([undefined, 'well-formed', 'malformed']);
  });

  it('keeps copies of the parameter sets (the caller may reuse its chunk)', () => {
    const sps = Uint8Array.from(AVC.SPS);
    const units: VideoUnit[] = [];
    const p = new H264VideoParser((u) => units.push(u), 1 << 20);
    for (const e of events([sps, AVC.PPS, AVC.IDR])) p.push(e);
    p.flush();
    sps.fill(0);
    expect(p.config()!.sps[0]).toEqual(AVC.SPS);
  });
});
