import { box, fullBox, PayloadWriter } from './box-writer.ts';
import { DATA_ENTRY_SELF_CONTAINED, LANGUAGE_UND, TkhdFlags, UNITY_MATRIX } from './iso-bmff-constants.ts';

/** The boxes of an init segment's moov that do not depend on the codec (14496-12 8.2 - 8.8). */

const FIXED_16_16_ONE = 0x00010000;
const FIXED_8_8_ONE = 0x0100;
/** Q: 8.8 fixed point full volume for a sound track, 0 for video. */
const VOLUME_FULL = FIXED_8_8_ONE;

/**
 * ftyp (4.3): major_brand(32) minor_version(32) compatible_brands(32)[]. styp (8.16.2) has
 * the same layout.
 */
export function fileTypeBox(type: 'ftyp' | 'styp', major: string, compatible: readonly string[]): Uint8Array {
  const w = new PayloadWriter(8 + 4 * compatible.length).fourCc(major).u32(0);
  for (const b of compatible) w.fourCc(b);
  return box(type, w.done());
}

/**
 * mvhd version 0 (8.2.2), 96 payload bytes:
 *   creation_time(32)=0 modification_time(32)=0 timescale(32) duration(32)=0 (fragments carry it)
 *   rate(32)=1.0 volume(16)=1.0 reserved(16) reserved(32)[2]
 *   matrix(32)[9]=unity pre_defined(32)[6] next_track_ID(32)
 */
export function movieHeaderBox(timescaleHz: number, nextTrackId: number): Uint8Array {
  const w = new PayloadWriter(96)
    .u32(0)
    .u32(0)
    .u32(timescaleHz)
    .u32(0)
    .u32(FIXED_16_16_ONE)
    .u16(FIXED_8_8_ONE)
    .zeros(2 + 8);
  for (const m of UNITY_MATRIX) w.u32(m);
  return fullBox('mvhd', 0, 0, w.zeros(24).u32(nextTrackId).done());
}

/**
 * tkhd version 0 (8.3.2), flags track_enabled | track_in_movie, 80 payload bytes:
 *   creation_time(32) modification_time(32) track_ID(32) reserved(32) duration(32)=0
 *   reserved(32)[2] layer(16)=0 alternate_group(16)=0 volume(16) reserved(16)
 *   matrix(32)[9]=unity width(32) height(32) (16.16 fixed point; 0 for audio)
 */
export function trackHeaderBox(trackId: number, audio: boolean, width = 0, height = 0): Uint8Array {
  const w = new PayloadWriter(80)
    .u32(0)
    .u32(0)
    .u32(trackId)
    .u32(0)
    .u32(0)
    .zeros(8)
    .u16(0)
    .u16(0)
    .u16(audio ? VOLUME_FULL : 0)
    .zeros(2);
  for (const m of UNITY_MATRIX) w.u32(m);
  w.u32(Math.round(width * FIXED_16_16_ONE)).u32(Math.round(height * FIXED_16_16_ONE));
  return fullBox('tkhd', 0, TkhdFlags.ENABLED | TkhdFlags.IN_MOVIE, w.done());
}

/**
 * mdhd version 0 (8.4.2), 20 payload bytes:
 *   creation_time(32) modification_time(32) timescale(32) duration(32)=0
 *   pad(1)=0 language(15)='und' pre_defined(16)=0
 */
export function mediaHeaderBox(timescaleHz: number): Uint8Array {
  return fullBox('mdhd', 0, 0, new PayloadWriter(20).u32(0).u32(0).u32(timescaleHz).u32(0).u16(LANGUAGE_UND).u16(0).done());
}

/** hdlr (8.4.3): pre_defined(32)=0 handler_type(32) reserved(32)[3] name (UTF-8, NUL-terminated). */
export function handlerBox(handlerType: string, name: string): Uint8Array {
  const nameBytes = new TextEncoder().encode(`${name}\0`);
  return fullBox('hdlr', 0, 0, new PayloadWriter(20 + nameBytes.byteLength).u32(0).fourCc(handlerType).zeros(12).bytes(nameBytes).done());
}

/** vmhd (12.1.2), flags 1: graphicsmode(16)=0 (copy) opcolor(16)[3]=0. */
export function videoMediaHeaderBox(): Uint8Array {
  return fullBox('vmhd', 0, 1, new Uint8Array(8));
}

/** smhd (12.2.2): balance(16)=0 (centre) reserved(16). */
export function soundMediaHeaderBox(): Uint8Array {
  return fullBox('smhd', 0, 0, new Uint8Array(4));
}

/** dinf > dref (8.7.2): entry_count(32)=1, one 'url ' entry with flags 1 (the data is in this file). */
export function dataInformationBox(): Uint8Array {
  const url = fullBox('url ', 0, DATA_ENTRY_SELF_CONTAINED);
  return box('dinf', fullBox('dref', 0, 0, new PayloadWriter(4).u32(1).done(), url));
}

/**
 * stbl (8.5.1) of a fragmented track: stsd with the one sample entry, then the sample
 * tables with no samples (the fragments describe them): stts entry_count(32)=0, stsc
 * entry_count(32)=0, stsz sample_size(32)=0 sample_count(32)=0, stco entry_count(32)=0.
 */
export function sampleTableBox(sampleEntry: Uint8Array): Uint8Array {
  const stsd = fullBox('stsd', 0, 0, new PayloadWriter(4).u32(1).done(), sampleEntry);
  const empty = new Uint8Array(4);
  return box('stbl', stsd, fullBox('stts', 0, 0, empty), fullBox('stsc', 0, 0, empty), fullBox('stsz', 0, 0, new Uint8Array(8)), fullBox('stco', 0, 0, empty));
}

/**
 * trex (8.8.3): track_ID(32) default_sample_description_index(32)=1
 * default_sample_duration(32)=0 default_sample_size(32)=0 default_sample_flags(32)=0
 * (every fragment states its own).
 */
export function trackExtendsBox(trackId: number): Uint8Array {
  return fullBox('trex', 0, 0, new PayloadWriter(20).u32(trackId).u32(1).u32(0).u32(0).u32(0).done());
}
