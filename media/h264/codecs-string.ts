import type { SpsInfo } from './sps-parser.ts';

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** RFC 6381 avc1.PPCCLL: profile_idc, constraint flags byte, level_idc, as hex. */
export function avcCodecString(sps: Pick<SpsInfo, 'profileIdc' | 'constraintFlags' | 'levelIdc'>): string {
  return `avc1.${hex2(sps.profileIdc)}${hex2(sps.constraintFlags)}${hex2(sps.levelIdc)}`;
}

/** RFC 6381 mp4a.40.N: N is the MPEG-4 audio object type (ADTS profile + 1; AAC-LC = 2). */
export function aacCodecString(audioObjectType: number): string {
  return `mp4a.40.${audioObjectType}`;
}
