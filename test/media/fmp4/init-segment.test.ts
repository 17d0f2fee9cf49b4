import { describe, expect, it } from 'vitest';
import { audioSpecificConfig } from '../../../media/fmp4/audio-specific-config.ts';
import { avcDecoderConfigRecord } from '../../../media/fmp4/avc-decoder-config.ts';
import { hevcDecoderConfigRecord } from '../../../media/fmp4/hevc-decoder-config.ts';
import { buildInitSegment } from '../../../media/fmp4/init-segment.ts';
import { aacAudioTrack, avcVideoTrack, hevcVideoTrack } from '../../../media/fmp4/tracks.ts';
import { MediaArgumentError, MediaInputError } from '../../../media/media-error.ts';
import { findBox, outline, readBoxes, type Mp4Box } from '../../fixtures/mp4-inspect.ts';
import { MAIN_PTL, MAIN_SPS, writeHevcPps, writeHevcSps, writeVps } from '../../fuzz/media/h265-builders.ts';

/** Hex with spaces and line breaks for annotation; `|` separates fields in the comments only. */
const hex = (s: string): string => s.replace(/\s+/g, '');
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(hex(s), 'hex'));
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** A box as written: header (size, type) + payload. */
const whole = (b: Mp4Box): string => hexOf(Uint8Array.of(...u32(b.size), ...Buffer.from(b.type, 'latin1'), ...b.payload));
const u32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

// libx265 426x240 (see test/media/h265/parameter-sets.test.ts for the annotation).
const VPS = bytes('40010c01ffff01600000030090000003000003003c959409');
const SPS = bytes('42010101600000030090000003000003003ca00d880f1c9e595952930bc05a020000030002000003003210');
const PPS = bytes('4401c073c189');
// x264 Main 3.0, 640x360, 25 fps (samples/sample.h264) and a PPS.
const AVC_SPS = bytes('674d401ed900a02ff97011000003000100000300320f162e48');
const AVC_PPS = bytes('68eae3cb22c0');

const video = hevcVideoTrack({ vps: [VPS], sps: [SPS], pps: [PPS] });
const audio = aacAudioTrack({ audioObjectType: 2, sampleRateHz: 48000, channelConfiguration: 2 });
const init = readBoxes(buildInitSegment(video, audio));
const box = (path: string): Mp4Box => {
  const b = findBox(init, path);
  if (!b) throw new Error(`no ${path}`);
  return b;
};
const audioTrak = init[1]!.children.filter((c) => c.type === 'trak')[1]!;
const audioBox = (path: string): Mp4Box => findBox(audioTrak.children, path)!;

describe('init segment layout', () => {
  it('is ftyp then moov with a trak per track and mvex/trex, nothing else', () => {
    expect(outline(init)).toBe(
      'ftyp moov(mvhd ' +
        'trak(tkhd mdia(mdhd hdlr minf(vmhd dinf(dref(url )) stbl(stsd(hvc1(hvcC)) stts stsc stsz stco)))) ' +
        'trak(tkhd mdia(mdhd hdlr minf(smhd dinf(dref(url )) stbl(stsd(mp4a(esds)) stts stsc stsz stco)))) ' +
        'mvex(trex trex))',
    );
    expect(hexOf(buildInitSegment(video, audio))).toBe(hexOf(buildInitSegment(video, audio))); // deterministic: its hash can name it
  });
});

describe('init segment boxes, byte by byte', () => {
  it('ftyp: major iso6, minor 0, compatible iso6 mp41', () => {
    expect(whole(init[0]!)).toBe(hex('00000018 66747970 | 69736f36 | 00000000 | 69736f36 6d703431'.replace(/\|/g, '')));
  });

  it('mvhd v0: timescale 1000, no duration, rate 1.0, volume 1.0, unity matrix, next_track_ID 3', () => {
    expect(whole(box('moov/mvhd'))).toBe(
      hex(`
      0000006c 6d766864 00000000
      00000000 00000000 000003e8 00000000
      00010000 0100 0000 00000000 00000000
      00010000 00000000 00000000 00000000 00010000 00000000 00000000 00000000 40000000
      00000000 00000000 00000000 00000000 00000000 00000000
      00000003`),
    );
  });

  it('tkhd v0 (flags enabled|in_movie): track 1, video volume 0, width 426.0 height 240.0 in 16.16', () => {
    expect(whole(box('moov/trak/tkhd'))).toBe(
      hex(`
      0000005c 746b6864 00000003
      00000000 00000000 00000001 00000000 00000000
      00000000 00000000 0000 0000 0000 0000
      00010000 00000000 00000000 00000000 00010000 00000000 00000000 00000000 40000000
      01aa0000 00f00000`),
    );
  });

  it('tkhd of the audio track: track 2, volume 1.0, no size', () => {
    // version/flags | creation | modification | track_ID 2 | reserved | duration | reserved x2 | layer | alternate_group | volume 1.0
    expect(hexOf(audioBox('tkhd').payload).slice(0, 76)).toBe(hex('00000003 00000000 00000000 00000002 00000000 00000000 00000000 00000000 0000 0000 0100'));
    expect(hexOf(audioBox('tkhd').payload.subarray(76, 84))).toBe('0000000000000000');
  });

  it('mdhd v0: 90 kHz video, the sample rate (48000) for audio, language und', () => {
    expect(whole(box('moov/trak/mdia/mdhd'))).toBe(hex('00000020 6d646864 00000000 | 00000000 00000000 | 00015f90 | 00000000 | 55c4 0000'.replace(/\|/g, '')));
    expect(hexOf(audioBox('mdia/mdhd').payload)).toBe(hex('00000000 00000000 00000000 0000bb80 00000000 55c40000'));
  });

  it('hdlr: vide "VideoHandler" / soun "SoundHandler", NUL-terminated', () => {
    expect(whole(box('moov/trak/mdia/hdlr'))).toBe(
      hex(
        `0000002d 68646c72 00000000 | 00000000 | 76696465 | 00000000 00000000 00000000 |
      566964656f48616e646c657200`.replace(/\|/g, ''),
      ),
    );
    expect(Buffer.from(audioBox('mdia/hdlr').payload.subarray(8, 12)).toString('latin1')).toBe('soun');
  });

  it('vmhd (flags 1) and smhd', () => {
    expect(whole(box('moov/trak/mdia/minf/vmhd'))).toBe(hex('00000014 766d6864 00000001 0000 0000 0000 0000'));
    expect(whole(audioBox('mdia/minf/smhd'))).toBe(hex('00000010 736d6864 00000000 0000 0000'));
  });

  it('dinf > dref with one self-contained url entry', () => {
    expect(whole(box('moov/trak/mdia/minf/dinf'))).toBe(
      hex('00000024 64696e66 | 0000001c 64726566 00000000 00000001 | 0000000c 75726c20 00000001'.replace(/\|/g, '')),
    );
  });

  it('stbl: empty stts, stsc, stsz, stco (the fragments describe the samples)', () => {
    const stbl = box('moov/trak/mdia/minf/stbl');
    expect(stbl.children.slice(1).map(whole)).toEqual([
      hex('00000010 73747473 00000000 00000000'),
      hex('00000010 73747363 00000000 00000000'),
      hex('00000014 7374737a 00000000 00000000 00000000'),
      hex('00000010 7374636f 00000000 00000000'),
    ]);
  });

  it('stsd > hvc1 visual sample entry: 426x240, 72 dpi, frame_count 1, compressor name, depth 24, then hvcC', () => {
    const hvc1 = box('moov/trak/mdia/minf/stbl/stsd/hvc1');
    expect(hexOf(box('moov/trak/mdia/minf/stbl/stsd').payload.subarray(0, 8))).toBe('0000000000000001'); // v0, entry_count 1
    expect(hexOf(hvc1.payload.subarray(0, 78))).toBe(
      hex(
        `
      000000000000 0001 | 0000 0000 000000000000000000000000 |
      01aa 00f0 | 00480000 00480000 | 00000000 | 0001 |
      0b 4845564320436f64696e67 0000000000000000000000000000000000000000 |
      0018 ffff`.replace(/\|/g, ''),
      ),
    );
  });

  it('hvcC: profile/tier/level and constraints from the SPS, 4:2:0 8-bit, one temporal layer, 4-byte lengths, VPS/SPS/PPS arrays complete', () => {
    expect(hexOf(box('moov/trak/mdia/minf/stbl/stsd/hvc1/hvcC').payload)).toBe(
      hex(
        `
      01 | 01 | 60000000 | 900000000000 | 3c |
      f000 | fc | fd | f8 | f8 | 0000 | 0f | 03 |
      a0 0001 0018 40010c01ffff01600000030090000003000003003c959409 |
      a1 0001 002b 42010101600000030090000003000003003ca00d880f1c9e595952930bc05a020000030002000003003210 |
      a2 0001 0006 4401c073c189`.replace(/\|/g, ''),
      ),
    );
    // configurationVersion 1 | space 0 tier 0 profile 1 | compatibility | constraints | level 60 |
    // 1111 + min_spatial 0 | 111111 + parallelismType 0 | 111111 + chroma 1 | 11111 + luma 8-8 | 11111 + chroma 8-8 |
    // avgFrameRate 0 | constantFrameRate 0, numTemporalLayers 1, temporalIdNested 1, lengthSizeMinusOne 3 | 3 arrays |
    // array_completeness 1 + type 32/33/34, one NAL unit each with its 16-bit length.
  });

  it('hvcC parallelismType follows the PPS when min_spatial_segmentation_idc is set (wavefronts 3, tiles 2, both 0)', () => {
    const sps = writeHevcSps({
      ...MAIN_SPS,
      ptl: { ...MAIN_PTL, subLayers: [[false, false]] },
      codedWidth: 640,
      codedHeight: 360,
      orderingInfoPresent: false,
      vui: { restriction: { minSpatialSegmentationIdc: 0x123 } },
    });
    const pps = (tiles: boolean, entropyCodingSync: boolean) =>
      writeHevcPps({ ppsId: 0, spsId: 0, dependentSliceSegments: false, outputFlagPresent: false, numExtraSliceHeaderBits: 0, tiles, entropyCodingSync });
    const fields = (tiles: boolean, wpp: boolean) => {
      const r = hevcDecoderConfigRecord({ vps: [writeVps()], sps: [sps], pps: [pps(tiles, wpp)] });
      return hexOf(r.subarray(13, 16)) + '/' + hexOf(r.subarray(21, 22));
    };
    // f1 23: min_spatial_segmentation_idc 0x123 | fc + type | numTemporalLayers 2 (SPS) << 3 | nested << 2 | 3 = 0x17
    expect([fields(false, true), fields(true, false), fields(true, true), fields(false, false)]).toEqual(['f123ff/17', 'f123fe/17', 'f123fc/17', 'f123fd/17']);
  });

  it('hvcC / avcC need every parameter set: a missing one is a MediaInputError saying which', () => {
    expect(() => hevcDecoderConfigRecord({ vps: [], sps: [SPS], pps: [PPS] })).toThrow(/at least one VPS, SPS and PPS; the stream sent 0\/1\/1/);
    expect(() => avcDecoderConfigRecord({ sps: [AVC_SPS], pps: [] })).toThrow(MediaInputError);
  });

  it('avcC: profile/compatibility/level bytes of the SPS, 4-byte lengths, one SPS and one PPS (Main: no chroma extension)', () => {
    expect(hexOf(avcDecoderConfigRecord({ sps: [AVC_SPS], pps: [AVC_PPS] }))).toBe(
      hex(
        `
      01 | 4d | 40 | 1e | ff | e1 | 0019 674d401ed900a02ff97011000003000100000300320f162e48 |
      01 | 0006 68eae3cb22c0`.replace(/\|/g, ''),
      ),
    );
    // version 1 | Main | constraint_set1 | level 3.0 | 111111 + lengthSizeMinusOne 3 | 111 + 1 SPS | ... | 1 PPS
  });

  it('avcC for High profile adds chroma_format, bit depths and 0 SPS extensions', () => {
    // x264 High 4:2:0 8-bit SPS, 1280x720 30 fps (profile_idc 100 = 0x64, level 3.1)
    const high = bytes('6764001facd9405005bb0110000003001000000303c0f1831960');
    const r = avcDecoderConfigRecord({ sps: [high], pps: [AVC_PPS] });
    expect(hexOf(r.subarray(0, 6))).toBe('0164001fffe1');
    expect(hexOf(r.subarray(r.byteLength - 4))).toBe(hex('fd | f8 | f8 | 00'.replace(/\|/g, '')));
    expect(avcVideoTrack({ sps: [high], pps: [AVC_PPS] }).codecString).toBe('avc1.64001f');
  });

  it('mp4a audio sample entry: channels 2, 16-bit, 48000 Hz in 16.16, then esds', () => {
    const mp4a = audioBox('mdia/minf/stbl/stsd/mp4a');
    expect(hexOf(mp4a.payload.subarray(0, 28))).toBe(hex('000000000000 0001 | 00000000 00000000 | 0002 | 0010 | 0000 | 0000 | bb800000'.replace(/\|/g, '')));
  });

  it('esds: ES_Descriptor > DecoderConfigDescriptor (AAC 0x40, audio stream) > AudioSpecificConfig, SLConfig 2', () => {
    expect(whole(audioBox('mdia/minf/stbl/stsd/mp4a/esds'))).toBe(
      hex(
        `
      00000027 65736473 00000000 |
      03 19 0000 00 |
      04 11 40 15 000000 00000000 00000000 |
      05 02 1190 |
      06 01 02`.replace(/\|/g, ''),
      ),
    );
  });

  it('AudioSpecificConfig: object type, frequency index (or the 24-bit escape), channel configuration', () => {
    // 00010 0011 0010 000 -> AAC-LC, 48000 (index 3), stereo
    expect(hexOf(audioSpecificConfig({ audioObjectType: 2, sampleRateHz: 48000, channelConfiguration: 2 }))).toBe('1190');
    // 00010 0100 0001 000 -> AAC-LC, 44100 (index 4), mono
    expect(hexOf(audioSpecificConfig({ audioObjectType: 2, sampleRateHz: 44100, channelConfiguration: 1 }))).toBe('1208');
    // 00010 1111 000000000101100111011000 0001 000 -> AAC-LC, escape, 23000 Hz (not in table 1.18) in 24 bits, mono
    expect(hexOf(audioSpecificConfig({ audioObjectType: 2, sampleRateHz: 23000, channelConfiguration: 1 }))).toBe(hex('17 80 2c ec 08'));
    expect(() => audioSpecificConfig({ audioObjectType: 2, sampleRateHz: 48000, channelConfiguration: 0 })).toThrow(MediaArgumentError);
    expect(() => audioSpecificConfig({ audioObjectType: 2, sampleRateHz: 48000, channelConfiguration: 0 })).toThrow(/channel_configuration 0/);
  });

  it('trex per track: default sample description 1, no other defaults', () => {
    expect(whole(box('moov/mvex/trex'))).toBe(hex('00000020 74726578 00000000 | 00000001 | 00000001 | 00000000 00000000 00000000'.replace(/\|/g, '')));
  });

  it('a non-square SAR adds pasp and widens tkhd to the display width', () => {
    const sps = writeHevcSps({ ...MAIN_SPS, codedWidth: 720, codedHeight: 576, vui: { sar: { idc: 2 } } }); // 12:11
    const t = hevcVideoTrack({ vps: [VPS], sps: [sps], pps: [PPS] });
    const boxes = readBoxes(buildInitSegment(t));
    expect(whole(findBox(boxes, 'moov/trak/mdia/minf/stbl/stsd/hvc1/pasp')!)).toBe(hex('00000010 70617370 0000000c 0000000b'));
    // 720 * 12 / 11 = 785.4545... in 16.16
    expect(hexOf(findBox(boxes, 'moov/trak/tkhd')!.payload.subarray(76, 84))).toBe(
      `${Math.round(((720 * 12) / 11) * 65536)
        .toString(16)
        .padStart(8, '0')}02400000`,
    );
  });
});
