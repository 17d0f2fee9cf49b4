/**
 * A few annotated NAL units and access units for testing the media pipeline's stages one
 * at a time. Slices carry only what the parsers read (headers), then filler bits.
 */
import type { NalUnitEvent } from '../../../media/bitstream/annexb-splitter.ts';
import { AudioQueue } from '../../../device/media/audio/audio-queue.ts';
import type { MediaSegment, SegmenterStats } from '../../../device/media/media-segment.ts';
import { SegmentWriter } from '../../../device/media/segment/segment-writer.ts';
import type { VideoConfig, VideoUnit } from '../../../device/media/video/video-unit.ts';

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** NAL unit events as the Annex-B splitter hands them over. */
export const events = (nals: readonly Uint8Array[], arrivalMs = 0, firstOffset = 0): NalUnitEvent[] => {
  let offset = firstOffset;
  return nals.map((nal) => {
    const e = { nal, offset, arrivalMs };
    offset += nal.byteLength + 4;
    return e;
  });
};

/** Annex B with 4-byte start codes. */
export const annexB = (nals: readonly Uint8Array[]): Uint8Array => Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), Buffer.from(n)]));

// ---- H.264 (samples/sample.h264: x264, Main 3.0, 640x360, 25 fps) ---------------------------
export const AVC = {
  /** 09 = AUD (nal_ref_idc 0, type 9) | 10: primary_pic_type 0 + stop bit. */
  AUD: hex('0910'),
  /** 67 = SPS (ref 3, type 7) | 4d profile Main | 40 constraint_set1 | 1e level 3.0 | ue fields; VUI timing 1/50 -> 25 fps. */
  SPS: hex('674d401ed900a02ff97011000003000100000300320f162e48'),
  /** The same with level 3.1 (1f): another encoder configuration. */
  SPS_LEVEL_31: hex('674d401fd900a02ff97011000003000100000300320f162e48'),
  /** 68 = PPS (ref 3, type 8) | eb: pps_id ue '1' = 0, sps_id ue '1' = 0, entropy_coding_mode 1, ... */
  PPS: hex('68ebccb2'),
  /** PPS id 0 again with other bytes (cc -> cd): the set changed. */
  PPS_CHANGED: hex('68ebcdb2'),
  /** 65 = IDR slice (ref 3, type 5) | 88: first_mb ue '1' = 0, slice_type ue '0001000' = 7 (I) | 80: pps_id ue '1' = 0 | data. */
  IDR: hex('6588 80 aabbccdd'),
  /** 41 = non-IDR slice (ref 2, type 1) | 9a: first_mb '1' = 0, slice_type ue '00110' = 5 (P), pps_id '1' = 0 | data. */
  P: hex('419a aabbccdd'),
  /** 01 = non-IDR slice (ref 0, type 1) | 9e: first_mb '1', slice_type ue '00111' = 6 (B), pps_id '1' = 0 | data. */
  B: hex('019e aabbccdd'),
  /** 01 | 9d 40: first_mb '1' = 0, slice_type '00111' = 6 (B), pps_id ue '010' = 1 (a PPS never sent) | data. */
  B_UNKNOWN_PPS: hex('019d40 aabbccdd'),
} as const;

/** The configuration the H.264 parser tells from AVC.SPS and AVC.PPS (what a writer or container opens a segment with). */
export const AVC_CONFIG: VideoConfig = {
  codec: 'h264',
  codecString: 'avc1.4d401e',
  width: 640,
  height: 360,
  fps: 25,
  vps: [],
  sps: [AVC.SPS],
  pps: [AVC.PPS],
  maxReorder: 0,
  generation: 1,
};

// ---- H.265 (libx265 3.5, Main, 426x240, 25 fps: test/media/h265/parameter-sets.test.ts) -------
export const HEVC = {
  /** 46 01 = AUD (type 35, layer 0, tid 1) | 50: pic_type 2 + stop bit. */
  AUD: hex('460150'),
  /** 40 01 = VPS (type 32) | vps_id 0, one layer, PTL Main level 2.0 (3c). */
  VPS: hex('40010c01ffff01600000030090000003000003003c959409'),
  /** 42 01 = SPS (type 33) | 432x240 coded, 426x240 shown, log2_max_poc_lsb 8, num_reorder 2, VUI 1/25. */
  SPS: hex('42010101600000030090000003000003003ca00d880f1c9e595952930bc05a020000030002000003003210'),
  /** 44 01 = PPS (type 34) | pps_id 0, sps_id 0, no extra slice header bits, no output flag. */
  PPS: hex('4401c073c189'),
  /**
   * 26 01 = IDR_W_RADL (type 19) | ae: first_slice_segment_in_pic 1, no_output_of_prior_pics 0,
   * pps_id ue '1' = 0, slice_type ue '011' = 2 (I), then slice data | (an IDR sends no POC).
   */
  IDR: hex('2601 ae 8899aabb'),
  /** 2a 01 = CRA (type 21) | '1' first, '0' no_output_of_prior_pics, '1' pps 0, '011' I, POC lsb u(8) */
  cra: (poc: number): Uint8Array => slice(0x2a, [1, 0, 1, 0, 1, 1], poc),
  /** 02 01 = TRAIL_R (type 1) | '1' first, '1' pps 0, '010' P, POC lsb u(8) */
  trailP: (poc: number): Uint8Array => slice(0x02, [1, 1, 0, 1, 0], poc),
  /** 00 01 = TRAIL_N (type 0) | '1' first, '1' pps 0, '1' B (ue 0), POC lsb u(8) */
  trailB: (poc: number): Uint8Array => slice(0x00, [1, 1, 1], poc),
  /** 10 01 = RASL_N (type 8) | '1' first, '1' pps 0, '1' B, POC lsb u(8) */
  raslB: (poc: number): Uint8Array => slice(0x10, [1, 1, 1], poc),
} as const;

/** A slice segment NAL unit: 2-byte header (type byte, 01), the header bits given, POC lsb in 8 bits, a stop bit, filler bytes. */
function slice(headerByte0: number, bits: number[], poc: number): Uint8Array {
  const all = [...bits, ...Array.from({ length: 8 }, (_, i) => (poc >> (7 - i)) & 1), 1];
  while (all.length % 8) all.push(0);
  const body: number[] = [];
  for (let i = 0; i < all.length; i += 8) body.push(all.slice(i, i + 8).reduce((v, b) => v * 2 + b, 0));
  return Uint8Array.from([headerByte0, 0x01, ...body, 0x88, 0x99, 0xaa]);
}

/** A codec-neutral unit for the stages after the parser. */
export function unit(o: Partial<VideoUnit> & { isKey: boolean }): VideoUnit {
  const nals = o.nals ?? [AVC.IDR];
  return {
    nals,
    nalBytes: nals.reduce((n, x) => n + x.byteLength, 0),
    hasVcl: true,
    hasAud: false,
    sent: { vps: false, sps: false, pps: false },
    offset: 0,
    arrivalMs: 0,
    encoderChanged: false,
    setsChanged: false,
    missingParameterSets: false,
    ...o,
  };
}

/** A SegmentWriter into MPEG-TS over a 100-frame audio queue, times in ms as 90 kHz / 90; the segments it writes land in `segments`. */
export function tsSegmentWriter(): { writer: SegmentWriter; audio: AudioQueue; stats: SegmenterStats; segments: MediaSegment[] } {
  const segments: MediaSegment[] = [];
  const stats: SegmenterStats = { frames: 0, audioFrames: 0, segments: 0, bytes: 0, inputErrors: 0, droppedBytes: 0, droppedFrames: 0 };
  const audio = new AudioQueue({ frames: 100 });
  const writer = new SegmentWriter(
    'ts',
    audio,
    stats,
    (t) => t / 90,
    (s) => segments.push(s),
  );
  return { writer, audio, stats, segments };
}
