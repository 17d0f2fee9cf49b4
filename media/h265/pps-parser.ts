import { BitReader } from '../bitstream/bit-reader.ts';
import { unescapeRbsp } from '../bitstream/rbsp.ts';
import { MediaInputError } from '../media-error.ts';
import { HEVC_NAL_HEADER_BYTES } from './nal-unit-type.ts';

/** What camrec reads from a picture parameter set (H.265 7.3.2.3.1). */
export interface HevcPpsInfo {
  ppsId: number;
  spsId: number;
  /** Slice headers carry dependent_slice_segment_flag. */
  dependentSliceSegmentsEnabled: boolean;
  /** Slice headers carry pic_output_flag. */
  outputFlagPresent: boolean;
  /** slice_reserved_flag bits in each slice header. */
  numExtraSliceHeaderBits: number;
  tilesEnabled: boolean;
  entropyCodingSyncEnabled: boolean;
}

export const HEVC_MAX_PPS_ID = 63;
const MAX_SPS_ID = 15;
/** Enough of the RBSP for the fields read here (the tile sizes come last). */
const PPS_HEADER_BYTES = 256;

/**
 * Parses a PPS NAL unit (2-byte header included, emulation prevention still in) up to
 * the tile flags, H.265 7.3.2.3.1:
 *   pps_pic_parameter_set_id ue, pps_seq_parameter_set_id ue
 *   dependent_slice_segments_enabled_flag(1) output_flag_present_flag(1) num_extra_slice_header_bits(3)
 *   sign_data_hiding_enabled_flag(1) cabac_init_present_flag(1)
 *   num_ref_idx_l0_default_active_minus1 ue, num_ref_idx_l1_default_active_minus1 ue, init_qp_minus26 se
 *   constrained_intra_pred_flag(1) transform_skip_enabled_flag(1) cu_qp_delta_enabled_flag(1) [diff_cu_qp_delta_depth ue]
 *   pps_cb_qp_offset se, pps_cr_qp_offset se, pps_slice_chroma_qp_offsets_present_flag(1)
 *   weighted_pred_flag(1) weighted_bipred_flag(1) transquant_bypass_enabled_flag(1)
 *   tiles_enabled_flag(1) entropy_coding_sync_enabled_flag(1) ...
 * Throws BitReaderOverrun when truncated and MediaInputError on an id out of range.
 */
export function parseHevcPps(nal: Uint8Array): HevcPpsInfo {
  const r = new BitReader(unescapeRbsp(nal, HEVC_NAL_HEADER_BYTES, PPS_HEADER_BYTES));
  const ppsId = r.ue();
  const spsId = r.ue();
  if (ppsId > HEVC_MAX_PPS_ID || spsId > MAX_SPS_ID) {
    throw new MediaInputError(`H.265 PPS is corrupt: pps id ${ppsId} / sps id ${spsId} out of range (0..${HEVC_MAX_PPS_ID} / 0..${MAX_SPS_ID})`, { offset: 0 });
  }
  const dependentSliceSegmentsEnabled = r.u1() === 1;
  const outputFlagPresent = r.u1() === 1;
  const numExtraSliceHeaderBits = r.u(3);
  r.u1(); // sign_data_hiding_enabled_flag
  r.u1(); // cabac_init_present_flag
  r.ue(); // num_ref_idx_l0_default_active_minus1
  r.ue(); // num_ref_idx_l1_default_active_minus1
  r.se(); // init_qp_minus26
  r.u1(); // constrained_intra_pred_flag
  r.u1(); // transform_skip_enabled_flag
  if (r.u1()) r.ue(); // cu_qp_delta_enabled_flag -> diff_cu_qp_delta_depth
  r.se(); // pps_cb_qp_offset
  r.se(); // pps_cr_qp_offset
  r.u1(); // pps_slice_chroma_qp_offsets_present_flag
  r.u1(); // weighted_pred_flag
  r.u1(); // weighted_bipred_flag
  r.u1(); // transquant_bypass_enabled_flag
  const tilesEnabled = r.u1() === 1;
  const entropyCodingSyncEnabled = r.u1() === 1;
  return { ppsId, spsId, dependentSliceSegmentsEnabled, outputFlagPresent, numExtraSliceHeaderBits, tilesEnabled, entropyCodingSyncEnabled };
}
