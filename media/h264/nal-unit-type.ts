/** H.264 nal_unit_type values (ITU-T H.264 table 7-1) that camrec cares about. */
export const NalType = {
  SLICE: 1,
  SLICE_PART_A: 2,
  SLICE_PART_B: 3,
  SLICE_PART_C: 4,
  IDR: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  AUD: 9,
  END_OF_SEQUENCE: 10,
  END_OF_STREAM: 11,
  FILLER: 12,
  SPS_EXT: 13,
  PREFIX: 14,
  SUBSET_SPS: 15,
  DPS: 16,
  RESERVED_17: 17,
  RESERVED_18: 18,
  AUX_SLICE: 19,
  SLICE_EXT: 20,
} as const;

/** Byte 0 of a NAL unit: forbidden_zero_bit(1) nal_ref_idc(2) nal_unit_type(5). */
export const nalType = (nal: Uint8Array): number => nal[0]! & 0x1f;
export const forbiddenBit = (nal: Uint8Array): number => nal[0]! >> 7;

/** Coded slices of a primary picture (VCL units camrec accepts). */
export const isVcl = (type: number): boolean => type === NalType.SLICE || type === NalType.IDR;

/** Non-VCL units that, after a VCL unit, begin the next access unit (H.264 7.4.1.2.3). */
export const startsAccessUnit = (type: number): boolean =>
  type === NalType.AUD || type === NalType.SPS || type === NalType.PPS || type === NalType.SEI || (type >= NalType.PREFIX && type <= NalType.RESERVED_18);

/** Types camrec never expects in a camera's Annex-B stream (partitioned slices, SVC/MVC, reserved). */
export const isUnexpected = (type: number): boolean => type === 0 || (type >= NalType.SLICE_PART_A && type <= NalType.SLICE_PART_C) || type >= 21;

/** slice_type values (table 7-6); 5..9 mean the same as 0..4 for all slices of the picture. */
export const SliceType = { P: 0, B: 1, I: 2, SP: 3, SI: 4 } as const;

/** The access unit delimiter camrec inserts: 00 00 00 01, header 0x09, primary_pic_type=7 (any) + stop bit = 0xF0. */
export const AUD_WITH_START_CODE = Uint8Array.of(0, 0, 0, 1, 0x09, 0xf0);
export const START_CODE_4 = Uint8Array.of(0, 0, 0, 1);
