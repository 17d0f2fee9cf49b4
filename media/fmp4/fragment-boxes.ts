import { writeBoxHeader, writeFullBoxHeader, writeU32, writeU64 } from './box-writer.ts';
import { BOX_HEADER_BYTES, FULL_BOX_HEADER_BYTES, TfhdFlags, TrunFlags } from './iso-bmff-constants.ts';

/**
 * The boxes of a media segment (14496-12 8.8, 8.16), written in place into one buffer:
 * each writer takes (out, at, ...) and returns the offset after what it wrote. Sizes are
 * computed up front by the *Bytes functions, so a segment is allocated once.
 */

/** mfhd (8.8.5): FullBox v0 | sequence_number(32). */
export const MFHD_BYTES = FULL_BOX_HEADER_BYTES + 4;
/** tfdt version 1 (8.8.12): FullBox v1 | baseMediaDecodeTime(64). */
export const TFDT_BYTES = FULL_BOX_HEADER_BYTES + 8;
export const MDAT_HEADER_BYTES = BOX_HEADER_BYTES;

export function mfhd(out: Uint8Array, at: number, sequenceNumber: number): number {
  writeFullBoxHeader(out, at, MFHD_BYTES, 'mfhd', 0, 0);
  writeU32(out, at + FULL_BOX_HEADER_BYTES, sequenceNumber);
  return at + MFHD_BYTES;
}

/** Defaults a tfhd states for every sample of its fragment (present per the flags). */
export interface TfhdDefaults {
  sampleDuration?: number;
  sampleSize?: number;
  sampleFlags?: number;
}

/**
 * tfhd (8.8.7): FullBox v0 flags | track_ID(32) [base_data_offset(64)] [sample_description_index(32)]
 * [default_sample_duration(32)] [default_sample_size(32)] [default_sample_flags(32)].
 * camrec sets default-base-is-moof (no base_data_offset) and only the three defaults.
 */
export function tfhdBytes(flags: number): number {
  return (
    FULL_BOX_HEADER_BYTES +
    4 +
    (flags & TfhdFlags.DEFAULT_SAMPLE_DURATION ? 4 : 0) +
    (flags & TfhdFlags.DEFAULT_SAMPLE_SIZE ? 4 : 0) +
    (flags & TfhdFlags.DEFAULT_SAMPLE_FLAGS ? 4 : 0)
  );
}

export function tfhd(out: Uint8Array, at: number, trackId: number, flags: number, d: TfhdDefaults): number {
  let p = writeFullBoxHeader(out, at, tfhdBytes(flags), 'tfhd', 0, flags);
  writeU32(out, p, trackId);
  p += 4;
  if (flags & TfhdFlags.DEFAULT_SAMPLE_DURATION) {
    writeU32(out, p, d.sampleDuration ?? 0);
    p += 4;
  }
  if (flags & TfhdFlags.DEFAULT_SAMPLE_SIZE) {
    writeU32(out, p, d.sampleSize ?? 0);
    p += 4;
  }
  if (flags & TfhdFlags.DEFAULT_SAMPLE_FLAGS) {
    writeU32(out, p, d.sampleFlags ?? 0);
    p += 4;
  }
  return p;
}

/** tfdt version 1: FullBox v1 | baseMediaDecodeTime(64), the decode time of the fragment's first sample. */
export function tfdt(out: Uint8Array, at: number, baseMediaDecodeTime: number): number {
  writeFullBoxHeader(out, at, TFDT_BYTES, 'tfdt', 1, 0);
  writeU64(out, at + FULL_BOX_HEADER_BYTES, baseMediaDecodeTime);
  return at + TFDT_BYTES;
}

/** Bytes per trun sample entry for these flags (duration, size, flags, composition offset: 4 each when present). */
export function trunSampleBytes(flags: number): number {
  return (
    (flags & TrunFlags.SAMPLE_DURATION ? 4 : 0) +
    (flags & TrunFlags.SAMPLE_SIZE ? 4 : 0) +
    (flags & TrunFlags.SAMPLE_FLAGS ? 4 : 0) +
    (flags & TrunFlags.SAMPLE_COMPOSITION_TIME_OFFSET ? 4 : 0)
  );
}

/**
 * trun (8.8.8): FullBox version flags | sample_count(32) [data_offset(32, signed)]
 * [first_sample_flags(32)] then per sample, in this order when flagged:
 * sample_duration(32) sample_size(32) sample_flags(32) sample_composition_time_offset(32)
 * (unsigned in version 0, signed in version 1).
 */
export function trunBytes(flags: number, sampleCount: number): number {
  return (
    FULL_BOX_HEADER_BYTES + 4 + (flags & TrunFlags.DATA_OFFSET ? 4 : 0) + (flags & TrunFlags.FIRST_SAMPLE_FLAGS ? 4 : 0) + sampleCount * trunSampleBytes(flags)
  );
}

/** The trun header up to its sample entries; returns the offset of the first entry. */
export function trunHeader(out: Uint8Array, at: number, version: number, flags: number, sampleCount: number, dataOffset: number, firstSampleFlags = 0): number {
  let p = writeFullBoxHeader(out, at, trunBytes(flags, sampleCount), 'trun', version, flags);
  writeU32(out, p, sampleCount);
  p += 4;
  if (flags & TrunFlags.DATA_OFFSET) {
    writeU32(out, p, dataOffset);
    p += 4;
  }
  if (flags & TrunFlags.FIRST_SAMPLE_FLAGS) {
    writeU32(out, p, firstSampleFlags);
    p += 4;
  }
  return p;
}

/** traf (8.8.6) and moof (8.8.4) are plain containers: a box header over their children. */
export function containerHeader(out: Uint8Array, at: number, size: number, type: 'moof' | 'traf'): number {
  return writeBoxHeader(out, at, size, type);
}

/** mdat (8.1.1): a box header, then the sample bytes. */
export function mdatHeader(out: Uint8Array, at: number, size: number): number {
  return writeBoxHeader(out, at, size, 'mdat');
}
