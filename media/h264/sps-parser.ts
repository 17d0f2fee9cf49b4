import { MediaInputError } from '../media-error.ts';
import { BitReader } from '../bitstream/bit-reader.ts';
import { unescapeRbsp } from '../bitstream/rbsp.ts';

/** Picture sizes camrec believes (luma samples, after cropping); outside them an SPS is corrupt. */
export const SPS_PICTURE_LIMITS = {
  MIN_SIDE_PIXELS: 16,
  MAX_SIDE_PIXELS: 16384,
  /** MaxFS of level 6.2 (H.264 table A-1), the largest frame any level allows, in macroblocks. */
  MAX_FRAME_MBS: 139264,
} as const;

/** What camrec needs from a sequence parameter set (H.264 7.3.2.1.1). */
export interface SpsInfo {
  profileIdc: number;
  /** constraint_set0..5_flags + reserved_zero_2bits, the byte between profile and level. */
  constraintFlags: number;
  levelIdc: number;
  spsId: number;
  chromaFormatIdc: number;
  /** bit_depth_luma_minus8 + 8 (8 unless a High-family profile says otherwise). */
  bitDepthLuma: number;
  bitDepthChroma: number;
  width: number;
  height: number;
  frameMbsOnly: boolean;
  picOrderCntType: number;
  log2MaxFrameNum: number;
  log2MaxPicOrderCntLsb: number;
  /** time_scale / (2 * num_units_in_tick) when VUI timing_info is present. */
  fps?: number;
  /** VUI timing, raw (for exact frame durations). */
  timing?: { numUnitsInTick: number; timeScale: number };
}

/** Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** scaling_list(): delta_scale se(v) until nextScale is 0 (H.264 7.3.2.1.1.1). */
function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/**
 * Parses an SPS NAL unit (header byte included, emulation-prevention bytes still in).
 * Throws BitReaderOverrun on a truncated unit, and MediaInputError on an impossible
 * picture (crop larger than the frame, a side outside 16..16384, a frame larger than
 * any level allows); callers treat both as corrupt input.
 */
export function parseSps(nal: Uint8Array): SpsInfo {
  const rbsp = unescapeRbsp(nal, 1, 512);
  const r = new BitReader(rbsp);
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  const spsId = r.ue();
  let chromaFormatIdc = 1;
  let separateColourPlane = 0;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc === 3) separateColourPlane = r.u1();
    bitDepthLuma = r.ue() + 8;
    bitDepthChroma = r.ue() + 8;
    r.u1(); // qpprime_y_zero_transform_bypass_flag
    if (r.u1()) {
      const lists = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) if (r.u1()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  const log2MaxFrameNum = r.ue() + 4;
  const picOrderCntType = r.ue();
  let log2MaxPicOrderCntLsb = 0;
  if (picOrderCntType === 0) {
    log2MaxPicOrderCntLsb = r.ue() + 4;
  } else if (picOrderCntType === 1) {
    r.u1(); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.u1(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.u1() === 1;
  if (!frameMbsOnly) r.u1(); // mb_adaptive_frame_field_flag
  r.u1(); // direct_8x8_inference_flag
  let crop = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.u1()) crop = { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() };
  // Table 6-1: SubWidthC / SubHeightC by chroma format; ChromaArrayType 0 crops in luma samples.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const cropUnitX = chromaArrayType === 0 ? 1 : chromaFormatIdc === 3 ? 1 : 2;
  const cropUnitY = (chromaArrayType === 0 ? 1 : chromaFormatIdc === 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
  const codedWidth = widthMbs * 16;
  const codedHeight = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16;
  const width = codedWidth - cropUnitX * (crop.left + crop.right);
  const height = codedHeight - cropUnitY * (crop.top + crop.bottom);
  checkPictureSize(codedWidth, codedHeight, width, height);
  const info: SpsInfo = {
    profileIdc,
    constraintFlags,
    levelIdc,
    spsId,
    chromaFormatIdc,
    bitDepthLuma,
    bitDepthChroma,
    width,
    height,
    frameMbsOnly,
    picOrderCntType,
    log2MaxFrameNum,
    log2MaxPicOrderCntLsb,
  };
  if (r.u1()) readVuiTiming(r, info);
  return info;
}

/** Throws MediaInputError unless the coded and cropped sizes are a picture some encoder could send. */
function checkPictureSize(codedWidth: number, codedHeight: number, width: number, height: number): void {
  const L = SPS_PICTURE_LIMITS;
  const frameMbs = (codedWidth / 16) * (codedHeight / 16);
  const problem =
    width < L.MIN_SIDE_PIXELS || height < L.MIN_SIDE_PIXELS
      ? `frame cropping leaves ${width}x${height} of a ${codedWidth}x${codedHeight} frame`
      : codedWidth > L.MAX_SIDE_PIXELS || codedHeight > L.MAX_SIDE_PIXELS
        ? `coded size ${codedWidth}x${codedHeight} has a side over ${L.MAX_SIDE_PIXELS}`
        : frameMbs > L.MAX_FRAME_MBS
          ? `coded size ${codedWidth}x${codedHeight} is ${frameMbs} macroblocks, over the ${L.MAX_FRAME_MBS} any level allows`
          : undefined;
  if (problem) throw new MediaInputError(`SPS describes an impossible picture: ${problem} (corrupt SPS)`, { offset: 0 });
}

/** vui_parameters() up to timing_info (H.264 E.1.1). */
function readVuiTiming(r: BitReader, info: SpsInfo): void {
  const EXTENDED_SAR = 255;
  if (r.u1()) {
    if (r.u(8) === EXTENDED_SAR) r.skip(32); // sar_width u(16), sar_height u(16)
  }
  if (r.u1()) r.u1(); // overscan_info_present -> overscan_appropriate
  if (r.u1()) {
    r.skip(4); // video_format u(3), video_full_range_flag u(1)
    if (r.u1()) r.skip(24); // colour_primaries, transfer_characteristics, matrix_coefficients
  }
  if (r.u1()) {
    r.ue(); // chroma_sample_loc_type_top_field
    r.ue(); // chroma_sample_loc_type_bottom_field
  }
  if (r.u1()) {
    const numUnitsInTick = r.u(32);
    const timeScale = r.u(32);
    if (numUnitsInTick > 0 && timeScale > 0) {
      info.timing = { numUnitsInTick, timeScale };
      info.fps = timeScale / (2 * numUnitsInTick);
    }
  }
}
