import type { ProfileTierLevel } from './profile-tier-level.ts';

/** general_profile_space 1..3 as the letter before the profile (0: none). */
const PROFILE_SPACE_LETTER = ['', 'A', 'B', 'C'] as const;

/** The 32 compatibility flags with flag[0] (sent first, the most significant bit) as bit 0. */
export function reverseBits32(v: number): number {
  let out = 0;
  for (let i = 0; i < 32; i++) out = out * 2 + (Math.floor(v / 2 ** i) % 2);
  return out;
}

/**
 * RFC 6381 codecs parameter for H.265 (ISO 14496-15 E.3), e.g. `hvc1.1.6.L93.B0`:
 *   sample entry  'hvc1' (parameter sets in the init segment) or 'hev1' (in band)
 *   .{profile space letter: none, A, B, C}{general_profile_idc, decimal}
 *   .{general_profile_compatibility_flags in reverse bit order, hex, no leading zeros}
 *   .{L: Main tier, H: High tier}{general_level_idc, decimal}
 *   .{each of the 6 constraint bytes in hex, trailing zero bytes left out}
 * Hex digits are upper case, as Apple's HLS authoring examples and GStreamer write them.
 */
export function hevcCodecString(
  ptl: Pick<ProfileTierLevel, 'profileSpace' | 'profileIdc' | 'compatibilityFlags' | 'tierFlag' | 'levelIdc' | 'constraintFlags'>,
  sampleEntry: 'hvc1' | 'hev1' = 'hvc1',
): string {
  const compat = reverseBits32(ptl.compatibilityFlags).toString(16).toUpperCase();
  let last = ptl.constraintFlags.byteLength;
  while (last > 0 && ptl.constraintFlags[last - 1] === 0) last--;
  const constraints = [...ptl.constraintFlags.subarray(0, last)].map((b) => `.${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  const space = PROFILE_SPACE_LETTER[ptl.profileSpace] ?? '';
  return `${sampleEntry}.${space}${ptl.profileIdc}.${compat}.${ptl.tierFlag ? 'H' : 'L'}${ptl.levelIdc}${constraints}`;
}
