import { BitReader } from '../bitstream/bit-reader.ts';
import { unescapeRbspInto } from '../bitstream/rbsp.ts';
import { MediaInputError } from '../media-error.ts';
import { HEVC_NAL_HEADER_BYTES, hevcNalType, isIdr, isIrap } from './nal-unit-type.ts';
import type { HevcPpsInfo } from './pps-parser.ts';
import type { HevcSpsInfo } from './sps-parser.ts';

/** The start of slice_segment_header() (H.265 7.3.6.1): enough to order pictures. */
export interface HevcSliceHeaderStart {
  firstSliceSegmentInPic: boolean;
  ppsId: number;
  /** A dependent slice segment repeats its parent's header: the fields below are absent. */
  dependent: boolean;
  /** HevcSliceType.B / P / I (undefined for a dependent slice segment). */
  sliceType?: number;
  /** pic_output_flag (1 unless the PPS lets the slice say otherwise). */
  picOutput: boolean;
  /** slice_pic_order_cnt_lsb; 0 for IDR pictures, which do not send it. */
  picOrderCntLsb: number;
}

/** Parameter sets the slice header refers to, by id. */
export interface HevcParameterSetLookup {
  pps(id: number): HevcPpsInfo | undefined;
  sps(id: number): HevcSpsInfo | undefined;
}

/** Enough RBSP for the fields read: 2 flags, 3 ue, 32 bits of address/reserved bits, 16 of POC. */
const SLICE_HEADER_BYTES = 32;
/** One scratch buffer and reader for every slice (the parse is synchronous): no allocation per slice. */
const scratch = new Uint8Array(SLICE_HEADER_BYTES);
const reader = new BitReader(scratch);

/**
 * slice_segment_header() (H.265 7.3.6.1) up to slice_pic_order_cnt_lsb:
 *   first_slice_segment_in_pic_flag(1) [no_output_of_prior_pics_flag(1) if IRAP]
 *   slice_pic_parameter_set_id ue
 *   if not first: [dependent_slice_segment_flag(1) if the PPS enables it] slice_segment_address u(Ceil(Log2(PicSizeInCtbsY)))
 *   if not dependent: slice_reserved_flag x num_extra_slice_header_bits, slice_type ue,
 *     [pic_output_flag(1) if output_flag_present] [colour_plane_id(2) if separate planes]
 *     [slice_pic_order_cnt_lsb u(log2_max_pic_order_cnt_lsb) unless IDR]
 * Throws MediaInputError when the PPS or SPS it names was never sent, BitReaderOverrun when truncated.
 */
export function parseHevcSliceHeaderStart(nal: Uint8Array, sets: HevcParameterSetLookup): HevcSliceHeaderStart {
  const type = hevcNalType(nal);
  const r = reader.reset(scratch, unescapeRbspInto(nal, HEVC_NAL_HEADER_BYTES, scratch));
  const firstSliceSegmentInPic = r.u1() === 1;
  if (isIrap(type)) r.u1(); // no_output_of_prior_pics_flag
  const ppsId = r.ue();
  const pps = sets.pps(ppsId);
  if (!pps) throw new MediaInputError(`slice refers to PPS ${ppsId}, which the stream has not sent`, { offset: 0 });
  const sps = sets.sps(pps.spsId);
  if (!sps) throw new MediaInputError(`PPS ${ppsId} refers to SPS ${pps.spsId}, which the stream has not sent`, { offset: 0 });
  let dependent = false;
  if (!firstSliceSegmentInPic) {
    if (pps.dependentSliceSegmentsEnabled) dependent = r.u1() === 1;
    r.skip(Math.ceil(Math.log2(sps.picSizeInCtbs))); // slice_segment_address
  }
  if (dependent) return { firstSliceSegmentInPic, ppsId, dependent, picOutput: true, picOrderCntLsb: 0 };
  r.skip(pps.numExtraSliceHeaderBits); // slice_reserved_flag[i]
  const sliceType = r.ue();
  if (sliceType > 2) throw new MediaInputError(`slice_type ${sliceType} is over 2 (corrupt slice header)`, { offset: 0 });
  const picOutput = pps.outputFlagPresent ? r.u1() === 1 : true;
  if (sps.separateColourPlane) r.skip(2); // colour_plane_id
  const picOrderCntLsb = isIdr(type) ? 0 : r.u(sps.log2MaxPicOrderCntLsb);
  return { firstSliceSegmentInPic, ppsId, dependent, sliceType, picOutput, picOrderCntLsb };
}
