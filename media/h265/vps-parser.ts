import { BitReader } from '../bitstream/bit-reader.ts';
import { unescapeRbsp } from '../bitstream/rbsp.ts';
import { MediaInputError } from '../media-error.ts';
import { HEVC_NAL_HEADER_BYTES } from './nal-unit-type.ts';
import { readProfileTierLevel, type ProfileTierLevel } from './profile-tier-level.ts';

/** What camrec reads from a video parameter set (H.265 7.3.2.1). */
export interface HevcVpsInfo {
  vpsId: number;
  /** vps_max_layers_minus1 + 1 (1 for every single-layer camera stream). */
  maxLayers: number;
  maxSubLayers: number;
  temporalIdNesting: boolean;
  profileTierLevel: ProfileTierLevel;
  /** vps_num_units_in_tick / vps_time_scale when vps_timing_info_present_flag. */
  timing?: { numUnitsInTick: number; timeScale: number };
}

const VPS_RESERVED_0XFFFF = 0xffff;
const MAX_LAYER_SETS = 1024;

/**
 * Parses a VPS NAL unit (2-byte header included, emulation prevention still in), H.265
 * 7.3.2.1 up to its timing info:
 *   vps_video_parameter_set_id(4) vps_base_layer_internal_flag(1) vps_base_layer_available_flag(1)
 *   vps_max_layers_minus1(6) vps_max_sub_layers_minus1(3) vps_temporal_id_nesting_flag(1)
 *   vps_reserved_0xffff_16bits(16) profile_tier_level(1, vps_max_sub_layers_minus1)
 *   vps_sub_layer_ordering_info_present_flag(1), per sub-layer 3 x ue
 *   vps_max_layer_id(6) vps_num_layer_sets_minus1 ue, layer_id_included_flag per set and layer
 *   vps_timing_info_present_flag(1) [vps_num_units_in_tick(32) vps_time_scale(32) ...]
 * Throws BitReaderOverrun when truncated and MediaInputError when a fixed field is wrong.
 */
export function parseHevcVps(nal: Uint8Array): HevcVpsInfo {
  const r = new BitReader(unescapeRbsp(nal, HEVC_NAL_HEADER_BYTES));
  const vpsId = r.u(4);
  r.skip(2); // vps_base_layer_internal_flag, vps_base_layer_available_flag
  const maxLayers = r.u(6) + 1;
  const maxSubLayersMinus1 = r.u(3);
  if (maxSubLayersMinus1 > 6) corrupt(`vps_max_sub_layers_minus1 ${maxSubLayersMinus1} is over 6`);
  const temporalIdNesting = r.u1() === 1;
  const reserved = r.u(16);
  if (reserved !== VPS_RESERVED_0XFFFF) corrupt(`vps_reserved_0xffff_16bits is 0x${reserved.toString(16)}`);
  const profileTierLevel = readProfileTierLevel(r, maxSubLayersMinus1);
  const orderingInfoPresent = r.u1();
  for (let i = orderingInfoPresent ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    r.ue(); // vps_max_dec_pic_buffering_minus1
    r.ue(); // vps_max_num_reorder_pics
    r.ue(); // vps_max_latency_increase_plus1
  }
  const maxLayerId = r.u(6);
  const numLayerSetsMinus1 = r.ue();
  if (numLayerSetsMinus1 >= MAX_LAYER_SETS) corrupt(`vps_num_layer_sets_minus1 ${numLayerSetsMinus1} is over ${MAX_LAYER_SETS - 1}`);
  r.skip(numLayerSetsMinus1 * (maxLayerId + 1)); // layer_id_included_flag[i][j]
  const info: HevcVpsInfo = { vpsId, maxLayers, maxSubLayers: maxSubLayersMinus1 + 1, temporalIdNesting, profileTierLevel };
  if (r.u1()) {
    const numUnitsInTick = r.u(32);
    const timeScale = r.u(32);
    if (numUnitsInTick > 0 && timeScale > 0) info.timing = { numUnitsInTick, timeScale };
  }
  return info;
}

function corrupt(what: string): never {
  throw new MediaInputError(`H.265 VPS is corrupt: ${what}`, { offset: 0 });
}
