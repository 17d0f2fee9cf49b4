import { parseSps } from '../h264/sps-parser.ts';
import { MediaInputError } from '../media-error.ts';
import { NAL_LENGTH_BYTES } from './iso-bmff-constants.ts';

/** H.264 parameter sets for an avcC: SPS and PPS NAL units (header byte included, no start codes). */
export interface AvcParameterSetArrays {
  sps: Uint8Array[];
  pps: Uint8Array[];
}

/** profile_idc values whose avcC has no chroma / bit depth extension (Baseline, Main, Extended). */
const PROFILES_WITHOUT_EXTENSION = new Set([66, 77, 88]);
const MAX_SPS_COUNT = 31;
const MAX_PPS_COUNT = 255;
const MAX_NALU_BYTES = 0xffff;
/** bit_depth_*_minus8 is 0..6 (H.264 7.4.2.1.1). */
const MAX_BIT_DEPTH = 14;

/**
 * AVCDecoderConfigurationRecord (ISO 14496-15 5.3.3.1), the payload of an 'avcC' box:
 *   configurationVersion(8)=1 AVCProfileIndication(8) profile_compatibility(8) AVCLevelIndication(8)
 *   '111111'(6) lengthSizeMinusOne(2)=3
 *   '111'(3) numOfSequenceParameterSets(5), per SPS: sequenceParameterSetLength(16) NAL unit
 *   numOfPictureParameterSets(8), per PPS: pictureParameterSetLength(16) NAL unit
 *   for profiles other than 66, 77, 88 (High and above):
 *     '111111'(6) chroma_format(2) '11111'(5) bit_depth_luma_minus8(3) '11111'(5) bit_depth_chroma_minus8(3)
 *     numOfSequenceParameterSetExt(8)=0
 * Profile, compatibility and level bytes are bytes 1..3 of the first SPS (as sent).
 * Throws MediaInputError when a set is missing or the first SPS does not parse.
 */
export function avcDecoderConfigRecord(sets: AvcParameterSetArrays): Uint8Array {
  if (!sets.sps.length || !sets.pps.length) {
    throw new MediaInputError(`an avcC needs at least one SPS and one PPS; the stream sent ${sets.sps.length}/${sets.pps.length}`, { offset: 0 });
  }
  if (sets.sps.length > MAX_SPS_COUNT || sets.pps.length > MAX_PPS_COUNT) {
    throw new MediaInputError(`an avcC holds at most ${MAX_SPS_COUNT} SPS and ${MAX_PPS_COUNT} PPS; got ${sets.sps.length}/${sets.pps.length}`, { offset: 0 });
  }
  const first = sets.sps[0]!;
  const info = parseSps(first);
  const extension = !PROFILES_WITHOUT_EXTENSION.has(info.profileIdc);
  if (info.bitDepthLuma > MAX_BIT_DEPTH || info.bitDepthChroma > MAX_BIT_DEPTH) {
    throw new MediaInputError(`SPS bit depth ${info.bitDepthLuma}/${info.bitDepthChroma} is over ${MAX_BIT_DEPTH} (corrupt SPS)`, { offset: 0 });
  }
  let size = 6 + 1 + (extension ? 4 : 0);
  for (const n of [...sets.sps, ...sets.pps]) {
    if (n.byteLength > MAX_NALU_BYTES)
      throw new MediaInputError(`a parameter set of ${n.byteLength} bytes does not fit avcC's 16-bit length (corrupt stream)`, { offset: 0 });
    size += 2 + n.byteLength;
  }
  const out = new Uint8Array(size);
  let at = 0;
  out[at++] = 1; // configurationVersion
  out[at++] = first[1]!; // AVCProfileIndication = profile_idc
  out[at++] = first[2]!; // profile_compatibility = constraint_set flags
  out[at++] = first[3]!; // AVCLevelIndication = level_idc
  out[at++] = 0xfc | (NAL_LENGTH_BYTES - 1);
  out[at++] = 0xe0 | sets.sps.length;
  const put = (n: Uint8Array): void => {
    out[at++] = n.byteLength >> 8;
    out[at++] = n.byteLength & 0xff;
    out.set(n, at);
    at += n.byteLength;
  };
  sets.sps.forEach(put);
  out[at++] = sets.pps.length;
  sets.pps.forEach(put);
  if (extension) {
    out[at++] = 0xfc | info.chromaFormatIdc;
    out[at++] = 0xf8 | (info.bitDepthLuma - 8);
    out[at++] = 0xf8 | (info.bitDepthChroma - 8);
    out[at++] = 0; // numOfSequenceParameterSetExt
  }
  return out;
}
