import type { BitReader } from '../bitstream/bit-reader.ts';

/** general_profile_idc values (H.265 annex A) camrec names. */
export const HevcProfile = { MAIN: 1, MAIN_10: 2, MAIN_STILL_PICTURE: 3, RANGE_EXTENSIONS: 4 } as const;

/** The general part of profile_tier_level() (H.265 7.3.3): what the codec string and hvcC carry. */
export interface ProfileTierLevel {
  /** general_profile_space (0 in every profile so far). */
  profileSpace: number;
  /** general_tier_flag: 0 Main tier, 1 High tier. */
  tierFlag: number;
  profileIdc: number;
  /** general_profile_compatibility_flag[0..31] as one 32-bit number, flag[0] the most significant bit (as sent). */
  compatibilityFlags: number;
  /**
   * The 48 bits from general_progressive_source_flag to general_inbld_flag/reserved, as
   * the 6 bytes sent (hvcC general_constraint_indicator_flags).
   */
  constraintFlags: Uint8Array;
  progressiveSource: boolean;
  interlacedSource: boolean;
  nonPackedConstraint: boolean;
  frameOnlyConstraint: boolean;
  /** general_level_idc: 30 x the level number (93 = level 3.1). */
  levelIdc: number;
}

/** 2 + 1 + 5 + 32 + 48 bits of profile before the level (the sub-layer profile part is the same size). */
const PROFILE_BITS = 88;
const CONSTRAINT_BYTES = 6;
/** Sub-layer slots are always written for 8 sub-layers (reserved_zero_2bits fill the rest). */
const MAX_SUB_LAYERS = 8;

/**
 * profile_tier_level(profilePresentFlag = 1, maxNumSubLayersMinus1) (H.265 7.3.3):
 *   general_profile_space(2) general_tier_flag(1) general_profile_idc(5)
 *   general_profile_compatibility_flag[32](32)
 *   progressive_source(1) interlaced_source(1) non_packed_constraint(1) frame_only_constraint(1)
 *   43 more constraint / reserved bits, inbld / reserved(1)               -- 48 bits in all
 *   general_level_idc(8)
 *   for i < maxNumSubLayersMinus1: sub_layer_profile_present_flag(1) sub_layer_level_present_flag(1)
 *   if maxNumSubLayersMinus1 > 0: reserved_zero_2bits for i = maxNumSubLayersMinus1..7
 *   for i < maxNumSubLayersMinus1: [88 bits of sub-layer profile] [sub_layer_level_idc(8)]
 * Reads through the sub-layer part (skipped) so the reader ends right after the structure.
 */
export function readProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): ProfileTierLevel {
  const profileSpace = r.u(2);
  const tierFlag = r.u1();
  const profileIdc = r.u(5);
  const compatibilityFlags = r.u(32);
  const constraintFlags = new Uint8Array(CONSTRAINT_BYTES);
  for (let i = 0; i < CONSTRAINT_BYTES; i++) constraintFlags[i] = r.u(8);
  const levelIdc = r.u(8);
  const profilePresent: number[] = [];
  const levelPresent: number[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(r.u1());
    levelPresent.push(r.u1());
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (MAX_SUB_LAYERS - maxSubLayersMinus1));
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) r.skip(PROFILE_BITS);
    if (levelPresent[i]) r.skip(8);
  }
  const c0 = constraintFlags[0]!;
  return {
    profileSpace,
    tierFlag,
    profileIdc,
    compatibilityFlags,
    constraintFlags,
    levelIdc,
    progressiveSource: (c0 & 0x80) !== 0,
    interlacedSource: (c0 & 0x40) !== 0,
    nonPackedConstraint: (c0 & 0x20) !== 0,
    frameOnlyConstraint: (c0 & 0x10) !== 0,
  };
}
