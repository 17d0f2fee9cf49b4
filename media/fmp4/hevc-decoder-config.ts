import { HevcNalType } from '../h265/nal-unit-type.ts';
import type { HevcParameterSetArrays } from '../h265/parameter-sets.ts';
import { parseHevcPps } from '../h265/pps-parser.ts';
import { parseHevcSps, type HevcSpsInfo } from '../h265/sps-parser.ts';
import { parseHevcVps } from '../h265/vps-parser.ts';
import { MediaInputError } from '../media-error.ts';
import { writeU32 } from './box-writer.ts';
import { NAL_LENGTH_BYTES } from './iso-bmff-constants.ts';

/** parallelismType (14496-15 8.3.3.1.2): what min_spatial_segmentation_idc relies on. */
export const HevcParallelism = { MIXED_OR_UNKNOWN: 0, SLICES: 1, TILES: 2, WAVEFRONTS: 3 } as const;

/** Bytes before the arrays: 1 + 12 (profile_tier_level) + 2 + 1 + 1 + 1 + 1 + 2 + 1 + 1. */
const HVCC_FIXED_BYTES = 23;
/** Per array: array_completeness/reserved/NAL_unit_type(8) numNalus(16); per NAL unit: nalUnitLength(16). */
const ARRAY_HEADER_BYTES = 3;
const NALU_LENGTH_FIELD_BYTES = 2;
const MAX_NALU_BYTES = 0xffff;

/**
 * HEVCDecoderConfigurationRecord (ISO 14496-15 8.3.3.1), the payload of an 'hvcC' box:
 *   configurationVersion(8)=1
 *   general_profile_space(2) general_tier_flag(1) general_profile_idc(5)
 *   general_profile_compatibility_flags(32) general_constraint_indicator_flags(48) general_level_idc(8)
 *   '1111'(4) min_spatial_segmentation_idc(12)
 *   '111111'(6) parallelismType(2)
 *   '111111'(6) chromaFormat(2)
 *   '11111'(5) bitDepthLumaMinus8(3)
 *   '11111'(5) bitDepthChromaMinus8(3)
 *   avgFrameRate(16)=0 (unspecified)
 *   constantFrameRate(2)=0 numTemporalLayers(3) temporalIdNested(1) lengthSizeMinusOne(2)=3
 *   numOfArrays(8), per array: array_completeness(1)=1 reserved(1)=0 NAL_unit_type(6) numNalus(16)
 *     and per NAL unit: nalUnitLength(16) nalUnit
 * Arrays VPS, SPS, PPS in that order, every set the samples use (array_completeness 1: an
 * 'hvc1' track carries no parameter sets in its samples). Profile, tier, level and picture
 * format come from the first SPS; numTemporalLayers is the larger of VPS and SPS
 * max_sub_layers; parallelismType follows the PPSs' tile / wavefront flags (as ffmpeg's
 * hvcC writer does: 0 when min_spatial_segmentation_idc is 0).
 * Throws MediaInputError when a set is missing or does not parse.
 */
export function hevcDecoderConfigRecord(sets: HevcParameterSetArrays): Uint8Array {
  if (!sets.vps.length || !sets.sps.length || !sets.pps.length) {
    throw new MediaInputError(`an hvcC needs at least one VPS, SPS and PPS; the stream sent ${sets.vps.length}/${sets.sps.length}/${sets.pps.length}`, {
      offset: 0,
    });
  }
  const vpsInfos = sets.vps.map((n) => parseHevcVps(n));
  const sps: HevcSpsInfo = parseHevcSps(sets.sps[0]!);
  const ppsInfos = sets.pps.map((n) => parseHevcPps(n));
  const ptl = sps.profileTierLevel;
  const minSpatial = sps.vui?.minSpatialSegmentationIdc ?? 0;
  const tiles = ppsInfos.some((p) => p.tilesEnabled);
  const wavefronts = ppsInfos.some((p) => p.entropyCodingSyncEnabled);
  const parallelism =
    minSpatial === 0 || (tiles && wavefronts)
      ? HevcParallelism.MIXED_OR_UNKNOWN
      : wavefronts
        ? HevcParallelism.WAVEFRONTS
        : tiles
          ? HevcParallelism.TILES
          : HevcParallelism.SLICES;
  const temporalLayers = Math.max(sps.maxSubLayers, ...vpsInfos.map((v) => v.maxSubLayers));
  const arrays: Array<[number, readonly Uint8Array[]]> = [
    [HevcNalType.VPS, sets.vps],
    [HevcNalType.SPS, sets.sps],
    [HevcNalType.PPS, sets.pps],
  ];
  let size = HVCC_FIXED_BYTES;
  for (const [, nals] of arrays) {
    size += ARRAY_HEADER_BYTES;
    for (const n of nals) {
      if (n.byteLength > MAX_NALU_BYTES)
        throw new MediaInputError(`a parameter set of ${n.byteLength} bytes does not fit hvcC's 16-bit length (corrupt stream)`, { offset: 0 });
      size += NALU_LENGTH_FIELD_BYTES + n.byteLength;
    }
  }
  const out = new Uint8Array(size);
  let at = 0;
  out[at++] = 1; // configurationVersion
  out[at++] = (ptl.profileSpace << 6) | (ptl.tierFlag << 5) | ptl.profileIdc;
  writeU32(out, at, ptl.compatibilityFlags);
  at += 4;
  out.set(ptl.constraintFlags, at);
  at += 6;
  out[at++] = ptl.levelIdc;
  out[at++] = 0xf0 | ((minSpatial >> 8) & 0x0f);
  out[at++] = minSpatial & 0xff;
  out[at++] = 0xfc | parallelism;
  out[at++] = 0xfc | sps.chromaFormatIdc;
  out[at++] = 0xf8 | (sps.bitDepthLuma - 8);
  out[at++] = 0xf8 | (sps.bitDepthChroma - 8);
  out[at++] = 0; // avgFrameRate (16)
  out[at++] = 0;
  out[at++] = (temporalLayers << 3) | ((sps.temporalIdNesting ? 1 : 0) << 2) | (NAL_LENGTH_BYTES - 1);
  out[at++] = arrays.length;
  for (const [type, nals] of arrays) {
    out[at++] = 0x80 | type; // array_completeness 1, reserved 0
    out[at++] = nals.length >> 8;
    out[at++] = nals.length & 0xff;
    for (const n of nals) {
      out[at++] = n.byteLength >> 8;
      out[at++] = n.byteLength & 0xff;
      out.set(n, at);
      at += n.byteLength;
    }
  }
  return out;
}
