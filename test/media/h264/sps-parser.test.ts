import { describe, expect, it } from 'vitest';
import { avcCodecString } from '../../../media/h264/codecs-string.ts';
import { parseSps } from '../../../media/h264/sps-parser.ts';
import { BitReaderOverrun } from '../../../media/bitstream/bit-reader.ts';
import { MediaInputError } from '../../../media/media-error.ts';

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

  it('throws MediaInputError when frame cropping leaves less than 16x16 (random bytes gave -88x72)', () => {
    // SAMPLE_SPS is 640x360 (40x23 MBs, crop bottom 4 units); here the crop fields of a
    // 40x23 MB Main SPS say left 200, right 200 (chroma units, 2 px each): 640 - 800 = -160.
    const sps = spsWithCrop({ left: 200, right: 200, top: 0, bottom: 0 });
    expect(() => parseSps(sps)).toThrow(MediaInputError);
    expect(() => parseSps(sps)).toThrow(/impossible picture.*-160x368/);
    // The same SPS with a crop that fits parses.
    expect(parseSps(spsWithCrop({ left: 0, right: 0, top: 0, bottom: 4 }))).toMatchObject({ width: 640, height: 360 });
  });

  it('throws MediaInputError on a coded size over 16384 (one damaged byte gave 1280x59456)', () => {
    const tall = spsWithCrop(undefined, { widthMbs: 80, heightMbs: 3716 }); // 1280 x 59456
    expect(() => parseSps(tall)).toThrow(MediaInputError);
    expect(() => parseSps(tall)).toThrow(/1280x59456/);
    expect(() => parseSps(spsWithCrop(undefined, { widthMbs: 1024, heightMbs: 200 }))).toThrow(/16384/);
    // 8192x8192 has sides within 16384 but is over level 6.2's MaxFS (139264 MBs).
    expect(() => parseSps(spsWithCrop(undefined, { widthMbs: 512, heightMbs: 512 }))).toThrow(/macroblocks/);
    expect(parseSps(spsWithCrop(undefined, { widthMbs: 240, heightMbs: 135 }))).toMatchObject({ width: 3840, height: 2160 });
  });
});

/**
 * A Main-profile SPS (7.3.2.1.1), 4:2:0, frame_mbs_only, poc type 2, no VUI, written bit
 * by bit: profile u(8) constraints u(8) level u(8) sps_id ue log2_max_frame_num-4 ue
 * poc_type ue max_num_ref_frames ue gaps u(1) width_mbs-1 ue height_map_units-1 ue
 * frame_mbs_only u(1) direct_8x8 u(1) cropping u(1) [4 x ue] vui_present u(1), stop bit.
 */
function spsWithCrop(crop?: { left: number; right: number; top: number; bottom: number }, size = { widthMbs: 40, heightMbs: 23 }): Uint8Array {
  const bits: number[] = [];
  const u = (n: number, v: number) => {
    for (let i = n - 1; i >= 0; i--) bits.push(Math.floor(v / 2 ** i) % 2);
  };
  const ue = (v: number) => {
    const x = v + 1;
    const len = Math.floor(Math.log2(x));
    u(len, 0);
    u(len + 1, x);
  };
  u(8, 77);
  u(8, 0x40);
  u(8, 30);
  ue(0);
  ue(0);
  ue(2);
  ue(1);
  u(1, 0);
  ue(size.widthMbs - 1);
  ue(size.heightMbs - 1);
  u(1, 1);
  u(1, 1);
  if (crop) {
    u(1, 1);
    ue(crop.left);
    ue(crop.right);
    ue(crop.top);
    ue(crop.bottom);
  } else u(1, 0);
  u(1, 0);
  bits.push(1);
  while (bits.length % 8) bits.push(0);
  const out = [0x67];
  for (let i = 0; i < bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8).join(''), 2));
  // emulation_prevention_three_byte where 00 00 0x (x <= 3) would appear.
  const esc: number[] = [];
  let zeros = 0;
  for (const b of out) {
    if (zeros >= 2 && b <= 3) {
      esc.push(3);
      zeros = 0;
    }
    esc.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(esc);
}
