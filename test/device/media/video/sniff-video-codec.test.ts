import { describe, expect, it } from 'vitest';
import { sniffVideoCodec } from '../../../../device/media/video/sniff-video-codec.ts';
import { AVC, hex, HEVC } from '../stage-fixtures.ts';

describe('sniffVideoCodec: the codec from one NAL unit header', () => {
  it('tells H.265 by a base-layer header (second byte 01) of a telling type', () => {
    for (const nal of [HEVC.VPS, HEVC.SPS, HEVC.PPS, HEVC.AUD, HEVC.IDR, HEVC.cra(0), HEVC.trailP(4), HEVC.trailB(1)])
      expect(sniffVideoCodec(nal)).toBe('h265');
  });

  it('tells H.264 by its SPS, PPS, AUD and slices (an SPS second byte is profile_idc, never 01)', () => {
    for (const nal of [AVC.SPS, AVC.PPS, AVC.AUD, AVC.IDR, AVC.P, AVC.B]) expect(sniffVideoCodec(nal)).toBe('h264');
  });

  it('says nothing for units that tell neither: SEI, filler, one byte, a forbidden bit', () => {
    // 06 05 = H.264 SEI (user data unregistered); 4e 01 = H.265 prefix SEI tells H.265, 06 01 (H.265 TSA_R / H.264 pic-timing SEI) tells nothing.
    expect(sniffVideoCodec(hex('0605ffff'))).toBeUndefined();
    expect(sniffVideoCodec(hex('0601ff'))).toBeUndefined();
    expect(sniffVideoCodec(hex('0c'))).toBeUndefined();
    expect(sniffVideoCodec(hex('e701'))).toBeUndefined(); // forbidden_zero_bit set
    expect(sniffVideoCodec(hex('4e01050a'))).toBe('h265');
  });

  it('an H.265 unit with a layer id above 0 (an odd first byte) is not taken for H.265', () => {
    // 41 01: H.265 VPS type with nuh_layer_id 32; read as H.264 it is a P slice (ref 2, type 1).
    expect(sniffVideoCodec(hex('4101'))).toBe('h264');
  });
});
