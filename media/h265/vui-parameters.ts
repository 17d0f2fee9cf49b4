import type { BitReader } from '../bitstream/bit-reader.ts';

/** What camrec keeps from vui_parameters() (H.265 E.2.1). */
export interface HevcVui {
  /** Sample aspect ratio (aspect_ratio_idc, or sar_width:sar_height when it is 255). */
  sar?: { width: number; height: number };
  /** colour_primaries / transfer_characteristics / matrix_coeffs / full range, when sent. */
  colour?: { primaries: number; transfer: number; matrix: number; fullRange: boolean };
  /** vui_num_units_in_tick / vui_time_scale when vui_timing_info_present_flag. */
  timing?: { numUnitsInTick: number; timeScale: number };
  /** bitstream_restriction: min_spatial_segmentation_idc (hvcC carries it); 0 when absent. */
  minSpatialSegmentationIdc: number;
  /** field_seq_flag: pictures are fields (camrec refuses interlaced streams later). */
  fieldSeq: boolean;
}

const EXTENDED_SAR = 255;
/** aspect_ratio_idc 1..16 (table E.1) as sar_width:sar_height. */
const SAR_BY_IDC: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [1, 1],
  [12, 11],
  [10, 11],
  [16, 11],
  [40, 33],
  [24, 11],
  [20, 11],
  [32, 11],
  [80, 33],
  [18, 11],
  [15, 11],
  [64, 33],
  [160, 99],
  [4, 3],
  [3, 2],
  [2, 1],
];

/**
 * vui_parameters() (H.265 E.2.1), read in full (HRD included) because hvcC needs
 * min_spatial_segmentation_idc, which comes after hrd_parameters():
 *   aspect_ratio_info_present(1) [aspect_ratio_idc(8) [sar_width(16) sar_height(16)]]
 *   overscan_info_present(1) [overscan_appropriate(1)]
 *   video_signal_type_present(1) [video_format(3) full_range(1) colour_description_present(1) [primaries(8) transfer(8) matrix(8)]]
 *   chroma_loc_info_present(1) [ue ue]
 *   neutral_chroma_indication(1) field_seq(1) frame_field_info_present(1)
 *   default_display_window(1) [ue ue ue ue]
 *   vui_timing_info_present(1) [num_units_in_tick(32) time_scale(32) poc_proportional(1) [ue] hrd_present(1) [hrd_parameters(1, maxSubLayersMinus1)]]
 *   bitstream_restriction(1) [tiles_fixed(1) mvs_over_pic_boundaries(1) restricted_ref_pic_lists(1)
 *     min_spatial_segmentation_idc ue, max_bytes_per_pic_denom ue, max_bits_per_min_cu_denom ue,
 *     log2_max_mv_length_horizontal ue, log2_max_mv_length_vertical ue]
 */
export function readVui(r: BitReader, maxSubLayersMinus1: number): HevcVui {
  const vui: HevcVui = { minSpatialSegmentationIdc: 0, fieldSeq: false };
  if (r.u1()) {
    const idc = r.u(8);
    if (idc === EXTENDED_SAR) vui.sar = { width: r.u(16), height: r.u(16) };
    else if (idc >= 1 && idc < SAR_BY_IDC.length) vui.sar = { width: SAR_BY_IDC[idc]![0], height: SAR_BY_IDC[idc]![1] };
  }
  if (r.u1()) r.u1(); // overscan_appropriate_flag
  if (r.u1()) {
    r.skip(3); // video_format
    const fullRange = r.u1() === 1;
    if (r.u1()) vui.colour = { primaries: r.u(8), transfer: r.u(8), matrix: r.u(8), fullRange };
  }
  if (r.u1()) {
    r.ue(); // chroma_sample_loc_type_top_field
    r.ue(); // chroma_sample_loc_type_bottom_field
  }
  r.u1(); // neutral_chroma_indication_flag
  vui.fieldSeq = r.u1() === 1;
  r.u1(); // frame_field_info_present_flag
  if (r.u1()) for (let i = 0; i < 4; i++) r.ue(); // def_disp_win_{left,right,top,bottom}_offset
  if (r.u1()) {
    const numUnitsInTick = r.u(32);
    const timeScale = r.u(32);
    if (numUnitsInTick > 0 && timeScale > 0) vui.timing = { numUnitsInTick, timeScale };
    if (r.u1()) r.ue(); // vui_num_ticks_poc_diff_one_minus1
    if (r.u1()) skipHrdParameters(r, true, maxSubLayersMinus1);
  }
  if (r.u1()) {
    r.skip(3); // tiles_fixed_structure, motion_vectors_over_pic_boundaries, restricted_ref_pic_lists
    vui.minSpatialSegmentationIdc = r.ue();
    for (let i = 0; i < 4; i++) r.ue(); // max_bytes_per_pic_denom .. log2_max_mv_length_vertical
  }
  return vui;
}

/**
 * hrd_parameters(commonInfPresentFlag, maxNumSubLayersMinus1) (H.265 E.2.2), skipped:
 *   [nal_hrd_present(1) vcl_hrd_present(1) [sub_pic_hrd_params_present(1)
 *     [tick_divisor_minus2(8) du_cpb_removal_delay_increment_length_minus1(5)
 *      sub_pic_cpb_params_in_pic_timing_sei(1) dpb_output_delay_du_length_minus1(5)]
 *     bit_rate_scale(4) cpb_size_scale(4) [cpb_size_du_scale(4)]
 *     initial_cpb_removal_delay_length_minus1(5) au_cpb_removal_delay_length_minus1(5) dpb_output_delay_length_minus1(5)]]
 *   per sub-layer: fixed_pic_rate_general(1) [fixed_pic_rate_within_cvs(1)] (inferred 1 when general is 1)
 *     [elemental_duration_in_tc_minus1 ue] else [low_delay_hrd(1)] [cpb_cnt_minus1 ue unless low delay]
 *     sub_layer_hrd_parameters() for NAL and/or VCL: per CPB bit_rate ue, cpb_size ue, [2 x ue], cbr(1)
 */
export function skipHrdParameters(r: BitReader, commonInfPresent: boolean, maxSubLayersMinus1: number): void {
  let nalHrd = 0;
  let vclHrd = 0;
  let subPicParams = 0;
  if (commonInfPresent) {
    nalHrd = r.u1();
    vclHrd = r.u1();
    if (nalHrd || vclHrd) {
      subPicParams = r.u1();
      if (subPicParams) r.skip(8 + 5 + 1 + 5);
      r.skip(4 + 4); // bit_rate_scale, cpb_size_scale
      if (subPicParams) r.skip(4); // cpb_size_du_scale
      r.skip(5 + 5 + 5);
    }
  }
  for (let i = 0; i <= maxSubLayersMinus1; i++) {
    const fixedGeneral = r.u1();
    const fixedWithinCvs = fixedGeneral ? 1 : r.u1();
    let lowDelay = 0;
    if (fixedWithinCvs)
      r.ue(); // elemental_duration_in_tc_minus1
    else lowDelay = r.u1();
    const cpbCount = lowDelay ? 1 : r.ue() + 1;
    for (let k = (nalHrd ? 1 : 0) + (vclHrd ? 1 : 0); k > 0; k--) {
      for (let c = 0; c < cpbCount; c++) {
        r.ue(); // bit_rate_value_minus1
        r.ue(); // cpb_size_value_minus1
        if (subPicParams) {
          r.ue(); // cpb_size_du_value_minus1
          r.ue(); // bit_rate_du_value_minus1
        }
        r.u1(); // cbr_flag
      }
    }
  }
}
