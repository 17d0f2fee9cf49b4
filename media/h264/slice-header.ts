import { BitReader } from '../bitstream/bit-reader.ts';
import { unescapeRbspInto } from '../bitstream/rbsp.ts';

/** RBSP bytes read for the three fields (three ue(v) of at most 32 bits each fit in 12). */
const HEADER_START_BYTES = 16;
/** One scratch buffer and reader for every slice (the parse is synchronous): no allocation per slice. */
const scratch = new Uint8Array(HEADER_START_BYTES);
const reader = new BitReader(scratch);

/** The start of slice_header() (H.264 7.3.3): enough to group slices and spot B-frames. */
export interface SliceHeaderStart {
  firstMbInSlice: number;
  /** slice_type % 5: SliceType.P/B/I/SP/SI. */
  sliceType: number;
  ppsId: number;
}

/** Reads first_mb_in_slice ue(v), slice_type ue(v), pic_parameter_set_id ue(v). Throws BitReaderOverrun if truncated. */
export function parseSliceHeaderStart(nal: Uint8Array): SliceHeaderStart {
  const r = reader.reset(scratch, unescapeRbspInto(nal, 1, scratch));
  const firstMbInSlice = r.ue();
  const rawType = r.ue();
  const ppsId = r.ue();
  return { firstMbInSlice, sliceType: rawType % 5, ppsId: rawType > 9 ? -1 : ppsId };
}
