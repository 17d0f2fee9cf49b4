/** ISO/IEC 14496-12 (ISO BMFF) and 14496-15 values camrec writes. */

/** size(32) type(32). */
export const BOX_HEADER_BYTES = 8;
/** size(32) type(32) version(8) flags(24). */
export const FULL_BOX_HEADER_BYTES = 12;

/** Brands in ftyp / styp (14496-12 annex E, 23009-1 6.3.4.2). */
export const Brand = {
  /** ISO BMFF with movie fragments and tfdt (the 2012 edition's brand). */
  ISO6: 'iso6',
  MP41: 'mp41',
  /** A media segment of the "DASH general" kind: styp's major brand for a moof+mdat segment. */
  MSDH: 'msdh',
} as const;

export const HandlerType = { VIDEO: 'vide', AUDIO: 'soun' } as const;

/** Sample entry (stsd) codes: parameter sets in the sample entry only (hvc1/avc1). */
export const SampleEntryType = { HEVC: 'hvc1', AVC: 'avc1', AAC: 'mp4a' } as const;

/** tkhd flags (8.3.2): track_enabled | track_in_movie. */
export const TkhdFlags = { ENABLED: 0x000001, IN_MOVIE: 0x000002 } as const;

/** tfhd flags (8.8.7). */
export const TfhdFlags = {
  DEFAULT_SAMPLE_DURATION: 0x000008,
  DEFAULT_SAMPLE_SIZE: 0x000010,
  DEFAULT_SAMPLE_FLAGS: 0x000020,
  /** Data offsets count from the start of the moof (no base_data_offset field). */
  DEFAULT_BASE_IS_MOOF: 0x020000,
} as const;

/** trun flags (8.8.8). */
export const TrunFlags = {
  DATA_OFFSET: 0x000001,
  FIRST_SAMPLE_FLAGS: 0x000004,
  SAMPLE_DURATION: 0x000100,
  SAMPLE_SIZE: 0x000200,
  SAMPLE_FLAGS: 0x000400,
  SAMPLE_COMPOSITION_TIME_OFFSET: 0x000800,
} as const;

/**
 * sample_flags (8.8.3.1): reserved(4) is_leading(2) sample_depends_on(2)
 * sample_is_depended_on(2) sample_has_redundancy(2) sample_padding_value(3)
 * sample_is_non_sync_sample(1) sample_degradation_priority(16).
 */
export const SampleFlags = {
  /** depends_on 2 (an I picture: depends on no other sample), a sync sample. */
  SYNC: 0x02000000,
  /** depends_on 1 (depends on other samples), sample_is_non_sync_sample 1. */
  NON_SYNC: 0x01010000,
} as const;

/** dref 'url ' flag: the media data is in this file. */
export const DATA_ENTRY_SELF_CONTAINED = 0x000001;
/** mdhd language 'und' as three 5-bit letters (each letter - 0x60): u=21 n=14 d=4. */
export const LANGUAGE_UND = 0x55c4;
/** mvhd timescale: the movie header carries no durations (fragments do). */
export const MOVIE_TIMESCALE_HZ = 1000;
/** Video track timescale: the 90 kHz of MPEG-TS timestamps, so input ticks pass through. */
export const VIDEO_TIMESCALE_HZ = 90_000;
/** Input timestamps of both tracks are 90 kHz ticks. */
export const INPUT_TIMESCALE_HZ = 90_000;
/** lengthSizeMinusOne = 3: every NAL unit in a sample has a 4-byte length in front (14496-15 5.3.2). */
export const NAL_LENGTH_BYTES = 4;
/** Unity transformation matrix {0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000} (16.16 and 2.30 fixed point). */
export const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000] as const;

/** MPEG-4 descriptor tags (14496-1 7.2.2.1) in esds. */
export const DescriptorTag = { ES: 0x03, DECODER_CONFIG: 0x04, DECODER_SPECIFIC_INFO: 0x05, SL_CONFIG: 0x06 } as const;
/** objectTypeIndication 0x40: Audio ISO/IEC 14496-3 (AAC). */
export const OBJECT_TYPE_AAC = 0x40;
/** streamType 0x05 (AudioStream) << 2 | upStream 0 | reserved 1. */
export const STREAM_TYPE_AUDIO_BYTE = (0x05 << 2) | 0x01;
/** SLConfigDescriptor predefined 2: reserved for use in MP4 files. */
export const SL_CONFIG_MP4 = 0x02;
