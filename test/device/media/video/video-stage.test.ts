import { describe, expect, it } from 'vitest';
import { VideoStage } from '../../../../device/media/video/video-stage.ts';
import type { VideoCodec, VideoUnit } from '../../../../device/media/video/video-unit.ts';
import { AVC, events, hex, HEVC } from '../stage-fixtures.ts';

function stage(codec?: VideoCodec): { s: VideoStage; units: VideoUnit[]; told: Array<[VideoCodec, VideoCodec | undefined]> } {
  const units: VideoUnit[] = [];
  const told: Array<[VideoCodec, VideoCodec | undefined]> = [];
  const s = new VideoStage({ ...(codec ? { codec } : {}), maxFrameBytes: 1 << 20, onUnit: (u) => units.push(u), onCodec: (c, prev) => told.push([c, prev]) });
  return { s, units, told };
}

describe('VideoStage: one parser per codec, the codec told from the stream', () => {
  it('holds units that tell nothing (SEI) until one tells the codec, then parses them all in order', () => {
    const { s, units, told } = stage();
    const sei = hex('0605ffffaabb');
    for (const e of events([sei, sei])) s.push(e);
    expect(s.codec).toBeUndefined();
    expect(s.heldFrom).toBe(0); // the waiting units are views of the caller's bytes
    for (const e of events([AVC.SPS, AVC.PPS, AVC.IDR], 0, 20)) s.push(e);
    s.flush();
    expect(told).toEqual([['h264', undefined]]);
    expect(units).toHaveLength(1);
    expect(units[0]!.nals[0]).toBe(sei);
    expect(units[0]!.nals).toHaveLength(5);
  });

  it('H.265 units go to the H.265 parser', () => {
    const { s, units } = stage();
    for (const e of events([HEVC.VPS, HEVC.SPS, HEVC.PPS, HEVC.IDR])) s.push(e);
    s.flush();
    expect(s.codec).toBe('h265');
    expect(s.config()!.codecString).toBe('hvc1.1.6.L60.90');
    expect(units[0]!.isKey).toBe(true);
  });

  it('after resniff() the same codec keeps its parser and sets; another codec gets a new parser', () => {
    const { s, units, told } = stage();
    for (const e of events([AVC.SPS, AVC.PPS, AVC.IDR])) s.push(e);
    s.resniff();
    for (const e of events([AVC.AUD, AVC.P])) s.push(e);
    s.flush();
    expect(told).toEqual([['h264', undefined]]);
    expect(units[1]!.missingParameterSets).toBe(false); // the cached SPS/PPS still apply
    s.resniff();
    for (const e of events([HEVC.VPS, HEVC.SPS, HEVC.PPS, HEVC.IDR])) s.push(e);
    s.flush();
    expect(told).toEqual([
      ['h264', undefined],
      ['h265', 'h264'],
    ]);
    expect(units.at(-1)!.isKey).toBe(true);
  });

  it('a fixed codec never sniffs; end() gives waiting units to H.264 when nothing told', () => {
    const fixed = stage('h265');
    expect(fixed.s.codec).toBe('h265');
    fixed.s.resniff();
    expect(fixed.s.codec).toBe('h265');
    const { s, units, told } = stage();
    for (const e of events([hex('0605ffff')])) s.push(e);
    s.end();
    expect(told).toEqual([['h264', undefined]]);
    expect(units).toHaveLength(1);
  });
});
