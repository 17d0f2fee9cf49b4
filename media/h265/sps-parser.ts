import { BitReader } from '../bitstream/bit-reader.ts';
import { unescapeRbsp } from '../bitstream/rbsp.ts';
import { MediaInputError } from '../media-error.ts';
import { HEVC_NAL_HEADER_BYTES } from './nal-unit-type.ts';
import { readProfileTierLevel, type ProfileTierLevel } from './profile-tier-level.ts';
import { readVui, type HevcVui } from './vui-parameters.ts';

/** Values an SPS must stay within (H.265 7.4.3.2 and annex A); outside them it is corrupt. */
export const HEVC_SPS_LIMITS = {
  MAX_SPS_ID: 15,
  MAX_SUB_LAYERS_MINUS1: 6,
  MIN_SIDE_PIXELS: 16,
  MAX_SIDE_PIXELS: 16384,
  /** MaxLumaPs of level 6.2 (table A.8), the largest picture any level allows, in luma samples. */
  MAX_LUMA_PICTURE_SAMPLES: 35_651_584,
  MAX_BIT_DEPTH: 16,
  MAX_LOG2_POC_LSB: 16,
  MAX_SHORT_TERM_REF_PIC_SETS: 64,
  MAX_DPB_SIZE: 16,
} as const;

/** What camrec needs from a sequence parameter set (H.265 7.3.2.2). */
export interface HevcSpsInfo {
  vpsId: number;
  spsId: number;
  /** sps_max_sub_layers_minus1 + 1 (hvcC numTemporalLayers). */
  maxSubLayers: number;
  temporalIdNesting: boolean;
  profileTierLevel: ProfileTierLevel;
  /** 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  /** pic_width/height_in_luma_samples: the coded size (a multiple of the minimum coding block). */
  codedWidth: number;
  codedHeight: number;
  /** The displayed size: the coded size minus the conformance window. */
  width: number;
  height: number;
  conformanceWindow: { left: number; right: number; top: number; bottom: number };
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** log2_max_pic_order_cnt_lsb_minus4 + 4: bits of slice_pic_order_cnt_lsb. */
  log2MaxPicOrderCntLsb: number;
  /** For the highest sub-layer: sps_max_dec_pic_buffering_minus1 + 1 (pictures the decoder holds). */
  maxDecPicBuffering: number;
  /** For the highest sub-layer: sps_max_num_reorder_pics (0: output order is decode order, no B-frame delay). */
  maxNumReorderPics: number;
  /** For the highest sub-layer: sps_max_latency_increase_plus1 (0: no limit). */
  maxLatencyIncreasePlus1: number;
  /** CtbLog2SizeY: log2 of the coding tree block size (slice_segment_address is in CTBs). */
  log2CtbSize: number;
  /** PicSizeInCtbsY: CTBs in a picture. */
  picSizeInCtbs: number;
  vui?: HevcVui;
  /** vui_time_scale / vui_num_units_in_tick when VUI timing is sent (one tick per picture). */
  fps?: number;
}

/**
 * Parses an SPS NAL unit (2-byte header included, emulation-prevention bytes still in),
 * H.265 7.3.2.2 through vui_parameters():
 *   sps_video_parameter_set_id(4) sps_max_sub_layers_minus1(3) sps_temporal_id_nesting_flag(1)
 *   profile_tier_level(1, sps_max_sub_layers_minus1)
 *   sps_seq_parameter_set_id ue, chroma_format_idc ue, [separate_colour_plane_flag(1) if 4:4:4]
 *   pic_width_in_luma_samples ue, pic_height_in_luma_samples ue
 *   conformance_window_flag(1) [conf_win_left/right/top/bottom_offset ue x 4]
 *   bit_depth_luma_minus8 ue, bit_depth_chroma_minus8 ue, log2_max_pic_order_cnt_lsb_minus4 ue
 *   sps_sub_layer_ordering_info_present_flag(1), per sub-layer: max_dec_pic_buffering_minus1 ue,
 *     max_num_reorder_pics ue, max_latency_increase_plus1 ue
 *   6 x ue of block sizes and transform depths
 *   scaling_list_enabled_flag(1) [sps_scaling_list_data_present_flag(1) [scaling_list_data()]]
 *   amp_enabled(1) sample_adaptive_offset_enabled(1) pcm_enabled(1) [pcm fields: 4 4 ue ue 1]
 *   num_short_term_ref_pic_sets ue, st_ref_pic_set(i) each
 *   long_term_ref_pics_present(1) [num_long_term_ref_pics_sps ue, each: lt_ref_pic_poc_lsb_sps u(v) used_by_curr(1)]
 *   sps_temporal_mvp_enabled(1) strong_intra_smoothing_enabled(1) vui_parameters_present(1) [vui_parameters()]
 * Throws BitReaderOverrun on a truncated unit and MediaInputError on values no encoder
 * may send (ids, sizes, bit depths out of range); callers treat both as corrupt input.
 */
export function parseHevcSps(nal: Uint8Array): HevcSpsInfo {
  const L = HEVC_SPS_LIMITS;
  const r = new BitReader(unescapeRbsp(nal, HEVC_NAL_HEADER_BYTES));
  const vpsId = r.u(4);
  const maxSubLayersMinus1 = r.u(3);
  if (maxSubLayersMinus1 > L.MAX_SUB_LAYERS_MINUS1) corrupt(`sps_max_sub_layers_minus1 ${maxSubLayersMinus1} is over ${L.MAX_SUB_LAYERS_MINUS1}`);
  const temporalIdNesting = r.u1() === 1;
  const profileTierLevel = readProfileTierLevel(r, maxSubLayersMinus1);
  const spsId = r.ue();
  if (spsId > L.MAX_SPS_ID) corrupt(`sps_seq_parameter_set_id ${spsId} is over ${L.MAX_SPS_ID}`);
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc > 3) corrupt(`chroma_format_idc ${chromaFormatIdc} is over 3`);
  const separateColourPlane = chromaFormatIdc === 3 && r.u1() === 1;
  const codedWidth = r.ue();
  const codedHeight = r.ue();
  const window = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.u1()) {
    window.left = r.ue();
    window.right = r.ue();
    window.top = r.ue();
    window.bottom = r.ue();
  }
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  if (bitDepthLuma > L.MAX_BIT_DEPTH || bitDepthChroma > L.MAX_BIT_DEPTH) corrupt(`bit depth ${bitDepthLuma}/${bitDepthChroma} is over ${L.MAX_BIT_DEPTH}`);
  const log2MaxPicOrderCntLsb = r.ue() + 4;
  if (log2MaxPicOrderCntLsb > L.MAX_LOG2_POC_LSB) corrupt(`log2_max_pic_order_cnt_lsb ${log2MaxPicOrderCntLsb} is over ${L.MAX_LOG2_POC_LSB}`);
  const orderingInfoPresent = r.u1();
  let maxDecPicBuffering = 0;
  let maxNumReorderPics = 0;
  let maxLatencyIncreasePlus1 = 0;
  for (let i = orderingInfoPresent ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    maxDecPicBuffering = r.ue() + 1;
    maxNumReorderPics = r.ue();
    maxLatencyIncreasePlus1 = r.ue();
  }
  if (maxDecPicBuffering > L.MAX_DPB_SIZE || maxNumReorderPics >= maxDecPicBuffering) {
    corrupt(`sps_max_dec_pic_buffering ${maxDecPicBuffering} / sps_max_num_reorder_pics ${maxNumReorderPics} are impossible`);
  }
  const log2MinCb = r.ue() + 3;
  const log2CtbSize = log2MinCb + r.ue();
  r.ue(); // log2_min_luma_transform_block_size_minus2
  r.ue(); // log2_diff_max_min_luma_transform_block_size
  r.ue(); // max_transform_hierarchy_depth_inter
  r.ue(); // max_transform_hierarchy_depth_intra
  if (log2CtbSize > 6 || log2MinCb > log2CtbSize) corrupt(`coding block sizes 2^${log2MinCb}..2^${log2CtbSize} are outside 8..64`);
  const size = checkPictureSize(codedWidth, codedHeight, chromaFormatIdc, separateColourPlane, window, 1 << log2MinCb);
  if (r.u1() && r.u1()) skipScalingListData(r);
  r.u1(); // amp_enabled_flag
  r.u1(); // sample_adaptive_offset_enabled_flag
  if (r.u1()) {
    r.skip(4 + 4); // pcm_sample_bit_depth_luma_minus1, pcm_sample_bit_depth_chroma_minus1
    r.ue(); // log2_min_pcm_luma_coding_block_size_minus3
    r.ue(); // log2_diff_max_min_pcm_luma_coding_block_size
    r.u1(); // pcm_loop_filter_disabled_flag
  }
  const numShortTermRefPicSets = r.ue();
  if (numShortTermRefPicSets > L.MAX_SHORT_TERM_REF_PIC_SETS)
    corrupt(`num_short_term_ref_pic_sets ${numShortTermRefPicSets} is over ${L.MAX_SHORT_TERM_REF_PIC_SETS}`);
  const numDeltaPocs: number[] = [];
  for (let i = 0; i < numShortTermRefPicSets; i++) numDeltaPocs.push(readShortTermRefPicSet(r, i, numDeltaPocs));
  if (r.u1()) {
    const numLongTerm = r.ue();
    if (numLongTerm > 32) corrupt(`num_long_term_ref_pics_sps ${numLongTerm} is over 32`);
    for (let i = 0; i < numLongTerm; i++) r.skip(log2MaxPicOrderCntLsb + 1); // lt_ref_pic_poc_lsb_sps u(v), used_by_curr_pic_lt_sps_flag
  }
  r.u1(); // sps_temporal_mvp_enabled_flag
  r.u1(); // strong_intra_smoothing_enabled_flag
  const ctbSize = 1 << log2CtbSize;
  const info: HevcSpsInfo = {
    vpsId,
    spsId,
    maxSubLayers: maxSubLayersMinus1 + 1,
    temporalIdNesting,
    profileTierLevel,
    chromaFormatIdc,
    separateColourPlane,
    codedWidth,
    codedHeight,
    width: size.width,
    height: size.height,
    conformanceWindow: window,
    bitDepthLuma,
    bitDepthChroma,
    log2MaxPicOrderCntLsb,
    maxDecPicBuffering,
    maxNumReorderPics,
    maxLatencyIncreasePlus1,
    log2CtbSize,
    picSizeInCtbs: Math.ceil(codedWidth / ctbSize) * Math.ceil(codedHeight / ctbSize),
  };
  if (r.u1()) {
    info.vui = readVui(r, maxSubLayersMinus1);
    if (info.vui.timing) info.fps = info.vui.timing.timeScale / info.vui.timing.numUnitsInTick;
  }
  return info;
}

function corrupt(what: string): never {
  throw new MediaInputError(`H.265 SPS is corrupt: ${what}`, { offset: 0 });
}

/** Table 6-1: SubWidthC / SubHeightC (the conformance window is in chroma sample units). */
function chromaUnits(chromaFormatIdc: number, separateColourPlane: boolean): { x: number; y: number } {
  if (chromaFormatIdc === 0 || separateColourPlane) return { x: 1, y: 1 };
  return { x: chromaFormatIdc === 3 ? 1 : 2, y: chromaFormatIdc === 1 ? 2 : 1 };
}

/** The cropped size; throws MediaInputError unless coded and cropped sizes are a picture an encoder could send. */
function checkPictureSize(
  codedWidth: number,
  codedHeight: number,
  chromaFormatIdc: number,
  separateColourPlane: boolean,
  w: { left: number; right: number; top: number; bottom: number },
  minCbSize: number,
): { width: number; height: number } {
  const L = HEVC_SPS_LIMITS;
  const unit = chromaUnits(chromaFormatIdc, separateColourPlane);
  const width = codedWidth - unit.x * (w.left + w.right);
  const height = codedHeight - unit.y * (w.top + w.bottom);
  const problem =
    codedWidth > L.MAX_SIDE_PIXELS || codedHeight > L.MAX_SIDE_PIXELS
      ? `coded size ${codedWidth}x${codedHeight} has a side over ${L.MAX_SIDE_PIXELS}`
      : codedWidth % minCbSize !== 0 || codedHeight % minCbSize !== 0
        ? `coded size ${codedWidth}x${codedHeight} is not a multiple of the ${minCbSize}-sample minimum coding block`
        : codedWidth * codedHeight > L.MAX_LUMA_PICTURE_SAMPLES
          ? `coded size ${codedWidth}x${codedHeight} is over the ${L.MAX_LUMA_PICTURE_SAMPLES} luma samples any level allows`
          : width < L.MIN_SIDE_PIXELS || height < L.MIN_SIDE_PIXELS
            ? `the conformance window leaves ${width}x${height} of a ${codedWidth}x${codedHeight} picture`
            : undefined;
  if (problem) corrupt(`impossible picture: ${problem}`);
  return { width, height };
}

/**
 * scaling_list_data() (H.265 7.3.4), skipped: for sizeId 0..3, matrixId 0..5 (step 3 at
 * sizeId 3): pred_mode_flag(1), then pred_matrix_id_delta ue, or [dc_coef_minus8 se if
 * sizeId > 1] and min(64, 1 << (4 + 2 * sizeId)) delta_coef se.
 */
function skipScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.u1()) {
        r.ue(); // scaling_list_pred_matrix_id_delta
        continue;
      }
      const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
      if (sizeId > 1) r.se(); // scaling_list_dc_coef_minus8
      for (let i = 0; i < coefNum; i++) r.se(); // scaling_list_delta_coef
    }
  }
}

/**
 * st_ref_pic_set(stRpsIdx) (H.265 7.3.7) as the SPS sends it (delta_idx_minus1 is never
 * present there, so RefRpsIdx = stRpsIdx - 1). Returns NumDeltaPocs[stRpsIdx], which the
 * next set's inter prediction needs to know how many flags follow:
 *   [inter_ref_pic_set_prediction_flag(1) unless stRpsIdx 0]
 *   predicted: delta_rps_sign(1) abs_delta_rps_minus1 ue, for j <= NumDeltaPocs[RefRpsIdx]:
 *     used_by_curr_pic_flag(1) [use_delta_flag(1) when not used]; a picture for each used or use_delta
 *   else: num_negative_pics ue, num_positive_pics ue, then (delta_poc_minus1 ue, used(1)) per picture
 */
function readShortTermRefPicSet(r: BitReader, idx: number, numDeltaPocs: readonly number[]): number {
  if (idx !== 0 && r.u1()) {
    r.u1(); // delta_rps_sign
    r.ue(); // abs_delta_rps_minus1
    let count = 0;
    const refCount = numDeltaPocs[idx - 1]!;
    for (let j = 0; j <= refCount; j++) {
      const used = r.u1();
      if (used || r.u1()) count++;
    }
    return count;
  }
  const negative = r.ue();
  const positive = r.ue();
  if (negative + positive > HEVC_SPS_LIMITS.MAX_DPB_SIZE) {
    corrupt(`st_ref_pic_set ${idx} lists ${negative + positive} pictures, more than a decoder holds`);
  }
  for (let i = 0; i < negative + positive; i++) {
    r.ue(); // delta_poc_s0/s1_minus1
    r.u1(); // used_by_curr_pic_s0/s1_flag
  }
  return negative + positive;
}
