import type { PictureRule } from '../bitstream/picture-rule.ts';
import { firstSliceSegmentInPic, hevcNalType, isHevcVcl } from './nal-unit-type.ts';

/**
 * True when the first slice segment of `annexB` does not start a picture: its
 * first_slice_segment_in_pic_flag (the bit after the 2-byte NAL header, H.265 7.3.6.1) is 0.
 * Only the bytes up to the first slice segment header are read.
 */
export function continuesHevcPicture(annexB: Uint8Array): boolean {
  const n = annexB.byteLength;
  for (let i = 0; i + 5 < n; i++) {
    if (annexB[i + 2]! > 1) {
      i += 2;
      continue;
    }
    if (annexB[i] !== 0 || annexB[i + 1] !== 0 || annexB[i + 2] !== 1) continue;
    const nal = annexB.subarray(i + 3, i + 6);
    if (isHevcVcl(hevcNalType(nal))) return !firstSliceSegmentInPic(nal);
    i += 2;
  }
  return false;
}

/** H.265: pieces of one picture (slice segments sent apart) are joined like H.264's slice groups. */
export const HEVC_PICTURE_RULE: PictureRule = { continuesPicture: continuesHevcPicture, isSlice: (nal) => isHevcVcl(hevcNalType(nal)) };
