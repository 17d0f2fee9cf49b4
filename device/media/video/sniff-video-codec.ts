import type { VideoCodec } from './video-unit.ts';

/**
 * H.265 nal_unit_types that name the codec when the second header byte is 0x01
 * (nuh_layer_id 0, TemporalId 0): TRAIL_N/R, BLA, IDR, CRA, VPS, SPS, PPS, AUD, prefix SEI.
 */
const HEVC_TELLING_TYPES: ReadonlySet<number> = new Set([0, 1, 16, 17, 18, 19, 20, 21, 32, 33, 34, 35, 39]);
/** H.264 nal_unit_types that name the codec: non-IDR slice, IDR slice, SPS, PPS, AUD. */
const AVC_TELLING_TYPES: ReadonlySet<number> = new Set([1, 5, 7, 8, 9]);

/**
 * Which codec a NAL unit (without start code) belongs to, or undefined when it does not tell.
 *
 * H.265 header (7.3.1.2): forbidden(1) type(6) layer_id(6) tid_plus1(3). A base-layer,
 * TemporalId-0 unit has an even first byte and 0x01 as second byte: VPS 40 01, SPS 42 01,
 * PPS 44 01, AUD 46 01, IDR 26 01 / 28 01, CRA 2A 01, TRAIL_R 02 01. Read as H.264
 * (forbidden(1) ref_idc(2) type(5)) those first bytes are types an encoder never sends
 * (0, 2, 4, 10, 14), SEI with a non-zero ref_idc, or a PPS (28) whose second byte 01 would
 * need pic_parameter_set_id >= 127; an H.264 SPS's second byte is profile_idc (never 1),
 * its AUD's is primary_pic_type << 5 | 0x10. So H.265 is checked first, then H.264 by type.
 */
export function sniffVideoCodec(nal: Uint8Array): VideoCodec | undefined {
  if (nal.byteLength < 2) return undefined;
  const b0 = nal[0]!;
  if ((b0 & 0x81) === 0 && nal[1] === 0x01 && HEVC_TELLING_TYPES.has(b0 >> 1)) return 'h265';
  if ((b0 & 0x80) === 0 && AVC_TELLING_TYPES.has(b0 & 0x1f)) return 'h264';
  return undefined;
}
