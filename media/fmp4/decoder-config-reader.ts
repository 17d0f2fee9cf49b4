import { ADTS_SAMPLE_RATES_HZ } from '../aac/adts-header.ts';
import { BitReader } from '../bitstream/bit-reader.ts';
import { NalType } from '../h264/nal-unit-type.ts';
import { HevcNalType } from '../h265/nal-unit-type.ts';
import type { HevcParameterSetArrays } from '../h265/parameter-sets.ts';
import { MediaInputError } from '../media-error.ts';
import type { AacConfig } from './audio-specific-config.ts';
import type { AvcParameterSetArrays } from './avc-decoder-config.ts';
import { readU16 } from './box-reader.ts';
import { DescriptorTag } from './iso-bmff-constants.ts';

/**
 * The decoder configurations of an MP4 sample entry, read back: the matched half of
 * hevc-decoder-config.ts, avc-decoder-config.ts and audio-specific-config.ts. Parameter
 * sets come out as views into the record (no start codes), with the NAL length size the
 * samples use. Throws MediaInputError on a record cut short.
 */

/** The parameter sets of a decoder configuration record and the size of the length field before each NAL unit in a sample. */
export interface ParameterSetRecord<Sets> {
  sets: Sets;
  /** lengthSizeMinusOne + 1: 1, 2 or 4 bytes. */
  nalLengthBytes: number;
}

const cut = (what: string, at: number): MediaInputError =>
  new MediaInputError(`the ${what} is cut short at byte ${at}: the init section is corrupt`, { offset: at });

/** A NAL unit preceded by its 16-bit length at `at`; returns it and the offset after it. */
function lengthPrefixed(r: Uint8Array, at: number, what: string): [Uint8Array, number] {
  if (at + 2 > r.byteLength) throw cut(what, at);
  const n = readU16(r, at);
  if (at + 2 + n > r.byteLength) throw cut(what, at);
  return [r.subarray(at + 2, at + 2 + n), at + 2 + n];
}

/**
 * hvcC (14496-15 8.3.3.1): 22 bytes of profile/format fields, of which byte 21 ends with
 * lengthSizeMinusOne(2); numOfArrays(8); per array: array_completeness(1) reserved(1)
 * NAL_unit_type(6) numNalus(16), per NAL unit nalUnitLength(16) + the unit. VPS, SPS and
 * PPS are kept; other arrays (SEI) are skipped.
 */
export function readHvcC(r: Uint8Array): ParameterSetRecord<HevcParameterSetArrays> {
  if (r.byteLength < 23) throw cut('hvcC', r.byteLength);
  const sets: HevcParameterSetArrays = { vps: [], sps: [], pps: [] };
  let at = 23;
  for (let a = 0, arrays = r[22]!; a < arrays; a++) {
    if (at + 3 > r.byteLength) throw cut('hvcC', at);
    const type = r[at]! & 0x3f;
    const count = readU16(r, at + 1);
    at += 3;
    for (let i = 0; i < count; i++) {
      let nal: Uint8Array;
      [nal, at] = lengthPrefixed(r, at, 'hvcC');
      if (type === HevcNalType.VPS) sets.vps.push(nal);
      else if (type === HevcNalType.SPS) sets.sps.push(nal);
      else if (type === HevcNalType.PPS) sets.pps.push(nal);
    }
  }
  return { sets, nalLengthBytes: (r[21]! & 0x03) + 1 };
}

/**
 * avcC (14496-15 5.3.3.1): configurationVersion(8) profile(8) compatibility(8) level(8)
 * '111111'(6) lengthSizeMinusOne(2) '111'(3) numOfSequenceParameterSets(5), per SPS its
 * length(16) + unit, numOfPictureParameterSets(8), per PPS its length(16) + unit (the
 * High-profile extension after them is not needed: the SPS says the same).
 */
export function readAvcC(r: Uint8Array): ParameterSetRecord<AvcParameterSetArrays> {
  if (r.byteLength < 7) throw cut('avcC', r.byteLength);
  const sets: AvcParameterSetArrays = { sps: [], pps: [] };
  let at = 6;
  for (let i = 0, n = r[5]! & 0x1f; i < n; i++) {
    let nal: Uint8Array;
    [nal, at] = lengthPrefixed(r, at, 'avcC');
    if ((nal[0]! & 0x1f) === NalType.SPS) sets.sps.push(nal);
  }
  if (at >= r.byteLength) throw cut('avcC', at);
  const ppsCount = r[at++]!;
  for (let i = 0; i < ppsCount; i++) {
    let nal: Uint8Array;
    [nal, at] = lengthPrefixed(r, at, 'avcC');
    if ((nal[0]! & 0x1f) === NalType.PPS) sets.pps.push(nal);
  }
  return { sets, nalLengthBytes: (r[4]! & 0x03) + 1 };
}

/** A descriptor's tag(8) and expandable size (14496-1 8.3.3: 7 bits a byte, high bit = more); returns where its body starts. */
function descriptorAt(d: Uint8Array, at: number): { tag: number; body: number; end: number } {
  if (at >= d.byteLength) throw cut('esds', at);
  const tag = d[at++]!;
  let size = 0;
  for (let i = 0; i < 4; i++) {
    if (at >= d.byteLength) throw cut('esds', at);
    const byte = d[at++]!;
    size = (size << 7) | (byte & 0x7f);
    if (!(byte & 0x80)) break;
  }
  if (at + size > d.byteLength) throw cut('esds', at);
  return { tag, body: at, end: at + size };
}

/**
 * The AAC configuration in an esds payload (after its FullBox header): ES_Descriptor
 * (0x03: ES_ID(16) flags(8) [dependsOn_ES_ID(16)] [URL] [OCR_ES_ID(16)]) >
 * DecoderConfigDescriptor (0x04: 13 bytes) > DecoderSpecificInfo (0x05) holding the
 * AudioSpecificConfig (14496-3 1.6.2.1): audioObjectType(5, 31 = escape + 6 bits)
 * samplingFrequencyIndex(4) [samplingFrequency(24) when 0xF] channelConfiguration(4).
 */
export function readEsdsAacConfig(esds: Uint8Array): AacConfig {
  const es = descriptorAt(esds, 0);
  if (es.tag !== DescriptorTag.ES) throw new MediaInputError(`esds starts with descriptor 0x${es.tag.toString(16)}, not an ES_Descriptor`, { offset: 0 });
  const flags = esds[es.body + 2]!;
  let at = es.body + 3 + (flags & 0x80 ? 2 : 0);
  if (flags & 0x40) at += 1 + esds[at]!;
  if (flags & 0x20) at += 2;
  const dcd = descriptorAt(esds, at);
  if (dcd.tag !== DescriptorTag.DECODER_CONFIG) throw new MediaInputError('esds has no DecoderConfigDescriptor', { offset: at });
  const dsi = descriptorAt(esds, dcd.body + 13);
  if (dsi.tag !== DescriptorTag.DECODER_SPECIFIC_INFO) throw new MediaInputError('esds has no DecoderSpecificInfo (AudioSpecificConfig)', { offset: dcd.body });
  const r = new BitReader(esds.subarray(dsi.body, dsi.end));
  let audioObjectType = r.u(5);
  if (audioObjectType === 31) audioObjectType = 32 + r.u(6);
  const index = r.u(4);
  const sampleRateHz = index === 0x0f ? r.u(24) : ADTS_SAMPLE_RATES_HZ[index];
  if (sampleRateHz === undefined)
    throw new MediaInputError(`AudioSpecificConfig has sampling frequency index ${index}, which no AAC rate has`, { offset: dsi.body });
  return { audioObjectType, sampleRateHz, channelConfiguration: r.u(4) };
}
