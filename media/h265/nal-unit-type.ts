/** H.265 nal_unit_type values (ITU-T H.265 table 7-1). */
export const HevcNalType = {
  TRAIL_N: 0,
  TRAIL_R: 1,
  TSA_N: 2,
  TSA_R: 3,
  STSA_N: 4,
  STSA_R: 5,
  RADL_N: 6,
  RADL_R: 7,
  RASL_N: 8,
  RASL_R: 9,
  /** Last reserved non-IRAP VCL type (RSV_VCL_N10..RSV_VCL_R15). */
  RSV_VCL_R15: 15,
  BLA_W_LP: 16,
  BLA_W_RADL: 17,
  BLA_N_LP: 18,
  IDR_W_RADL: 19,
  IDR_N_LP: 20,
  CRA_NUT: 21,
  RSV_IRAP_VCL22: 22,
  RSV_IRAP_VCL23: 23,
  /** Last VCL type (RSV_VCL24..RSV_VCL31 are reserved). */
  RSV_VCL31: 31,
  VPS: 32,
  SPS: 33,
  PPS: 34,
  AUD: 35,
  EOS: 36,
  EOB: 37,
  FD: 38,
  PREFIX_SEI: 39,
  SUFFIX_SEI: 40,
  RSV_NVCL41: 41,
  RSV_NVCL44: 44,
  RSV_NVCL45: 45,
  RSV_NVCL47: 47,
  UNSPEC48: 48,
  UNSPEC55: 55,
  UNSPEC56: 56,
  UNSPEC63: 63,
} as const;

/** nal_unit_header() is two bytes (H.265 7.3.1.2). */
export const HEVC_NAL_HEADER_BYTES = 2;

/** The fields of nal_unit_header(). */
export interface HevcNalHeader {
  forbiddenZeroBit: number;
  type: number;
  /** nuh_layer_id: 0 for the base layer (all camrec accepts). */
  layerId: number;
  /** TemporalId = nuh_temporal_id_plus1 - 1; -1 when the (forbidden) value 0 was sent. */
  temporalId: number;
}

/**
 * nal_unit_header() (H.265 7.3.1.2), 2 bytes at the start of a NAL unit:
 *   forbidden_zero_bit(1) nal_unit_type(6) nuh_layer_id(6) nuh_temporal_id_plus1(3)
 * A unit shorter than 2 bytes reads as zeros past its end (check length before trusting it).
 */
export function parseHevcNalHeader(nal: Uint8Array): HevcNalHeader {
  const b0 = nal[0] ?? 0;
  const b1 = nal[1] ?? 0;
  return {
    forbiddenZeroBit: b0 >> 7,
    type: (b0 >> 1) & 0x3f,
    layerId: ((b0 & 0x01) << 5) | (b1 >> 3),
    temporalId: (b1 & 0x07) - 1,
  };
}

/** nal_unit_type alone: bits 1..6 of byte 0 (the hot path, no object). */
export const hevcNalType = (nal: Uint8Array): number => (nal[0]! >> 1) & 0x3f;

/** VCL NAL units (coded slice segments) are types 0..31. */
export const isHevcVcl = (type: number): boolean => type <= HevcNalType.RSV_VCL31;

/** IRAP pictures (8.1: BLA, IDR, CRA; 22..23 are reserved and never sent): random-access points, camrec's cut points. */
export const isIrap = (type: number): boolean => type >= HevcNalType.BLA_W_LP && type <= HevcNalType.CRA_NUT;

export const isIdr = (type: number): boolean => type === HevcNalType.IDR_W_RADL || type === HevcNalType.IDR_N_LP;

export const isBla = (type: number): boolean => type >= HevcNalType.BLA_W_LP && type <= HevcNalType.BLA_N_LP;

export const isRasl = (type: number): boolean => type === HevcNalType.RASL_N || type === HevcNalType.RASL_R;

export const isRadl = (type: number): boolean => type === HevcNalType.RADL_N || type === HevcNalType.RADL_R;

/**
 * Sub-layer non-reference pictures (TRAIL_N, TSA_N, STSA_N, RADL_N, RASL_N, RSV_VCL_N10/12/14):
 * the even types below 16. They never serve as prevTid0Pic for picture order counts (8.3.1).
 */
export const isSubLayerNonReference = (type: number): boolean => type <= HevcNalType.RSV_VCL_R15 && type % 2 === 0;

export const isParameterSet = (type: number): boolean => type >= HevcNalType.VPS && type <= HevcNalType.PPS;

/**
 * Non-VCL units that, after the last VCL unit of an access unit, begin the next one
 * (H.265 7.4.2.4.4): AUD, VPS, SPS, PPS, prefix SEI, RSV_NVCL41..44, UNSPEC48..55. EOS and
 * EOB end the access unit they follow; FD, suffix SEI, RSV_NVCL45..47 and UNSPEC56..63 stay
 * with the picture before them.
 */
export const startsHevcAccessUnit = (type: number): boolean =>
  (type >= HevcNalType.VPS && type <= HevcNalType.AUD) ||
  type === HevcNalType.PREFIX_SEI ||
  (type >= HevcNalType.RSV_NVCL41 && type <= HevcNalType.RSV_NVCL44) ||
  (type >= HevcNalType.UNSPEC48 && type <= HevcNalType.UNSPEC55);

/** VCL types camrec never expects from an encoder (reserved: RSV_VCL_N10..R15, RSV_IRAP_VCL22..23, RSV_VCL24..31). */
export const isReservedVcl = (type: number): boolean =>
  (type >= 10 && type <= HevcNalType.RSV_VCL_R15) || (type >= HevcNalType.RSV_IRAP_VCL22 && type <= HevcNalType.RSV_VCL31);

/**
 * first_slice_segment_in_pic_flag: the first bit after the 2-byte header of a VCL unit
 * (7.3.6.1). A 1 starts a new picture, so a new access unit.
 */
export const firstSliceSegmentInPic = (nal: Uint8Array): boolean => ((nal[HEVC_NAL_HEADER_BYTES] ?? 0) & 0x80) !== 0;

/** slice_type values (table 7-7). */
export const HevcSliceType = { B: 0, P: 1, I: 2 } as const;

/** The access unit delimiter for inserting: 00 00 00 01, header 46 01 (type 35, layer 0, tid 0), pic_type 2 (any) + stop bit = 0x50. */
export const HEVC_AUD_WITH_START_CODE = Uint8Array.of(0, 0, 0, 1, 0x46, 0x01, 0x50);
