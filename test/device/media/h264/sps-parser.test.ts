import { describe, expect, it } from 'vitest';
import { avcCodecString } from '../../../../device/media/h264/codecs-string.ts';
import { parseSps } from '../../../../device/media/h264/sps-parser.ts';
import { BitReaderOverrun } from '../../../../device/media/h264/bit-reader.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

// samples/sample.h264: nal header 67, profile_idc 4d (Main), constraints 40, level_idc 1e (3.0),
// then ue fields; the VUI carries num_units_in_tick 1, time_scale 50 (25 fps) with
// emulation-prevention bytes (00 00 03) inside the 32-bit timing fields.
const SAMPLE_SPS = hex('674d401ed900a02ff97011000003000100000300320f162e48');
// x264 1920x1080 (coded 1920x1088, frame_cropping bottom 4 -> 8 lines), Baseline 4.0,
// timing 1001 / 60000 = 29.97 fps, again with 00 00 03 escapes in the VUI.
const HD_SPS = hex('6742c028da01e0089f97011000003e90000ea600f1832a');

describe('parseSps', () => {
  it('reads profile, level, size and VUI frame rate of a Main-profile SPS', () => {
    const s = parseSps(SAMPLE_SPS);
    expect(s).toMatchObject({ profileIdc: 77, constraintFlags: 0x40, levelIdc: 30, width: 640, height: 360, frameMbsOnly: true, fps: 25 });
    expect(avcCodecString(s)).toBe('avc1.4d401e');
  });

  it('applies frame cropping and reads a 30000/1001 frame rate', () => {
    const s = parseSps(HD_SPS);
    expect(s).toMatchObject({ profileIdc: 66, levelIdc: 40, width: 1920, height: 1080 });
    expect(s.timing).toEqual({ numUnitsInTick: 1001, timeScale: 60000 });
    expect(s.fps).toBeCloseTo(29.97, 2);
    expect(avcCodecString(s)).toBe('avc1.42c028');
  });

  it('throws BitReaderOverrun on a truncated SPS instead of inventing values', () => {
    expect(() => parseSps(SAMPLE_SPS.subarray(0, 6))).toThrow(BitReaderOverrun);
  });
});
