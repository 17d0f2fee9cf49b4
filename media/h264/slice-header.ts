import { BitReader } from '../bitstream/bit-reader.ts';
import { unescapeRbsp } from '../bitstream/rbsp.ts';

/** The start of slice_header() (H.264 7.3.3): enough to group slices and spot B-frames. */
export interface SliceHeaderStart {
  firstMbInSlice: number;
  /** slice_type % 5: SliceType.P/B/I/SP/SI. */
  sliceType: number;
  ppsId: number;
}

/** Reads first_mb_in_slice ue(v), slice_type ue(v), pic_parameter_set_id ue(v). Throws BitReaderOverrun if truncated. */
export function parseSliceHeaderStart(nal: Uint8Array): SliceHeaderStart {
  const r = new BitReader(unescapeRbsp(nal, 1, 16));
  const firstMbInSlice = r.ue();
  const rawType = r.ue();
  const ppsId = r.ue();
  return { firstMbInSlice, sliceType: rawType % 5, ppsId: rawType > 9 ? -1 : ppsId };
}
