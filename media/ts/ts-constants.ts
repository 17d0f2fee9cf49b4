/** MPEG-TS (ISO 13818-1) values camrec writes. */
export const TS_PACKET_BYTES = 188;
export const TS_HEADER_BYTES = 4;
export const TS_PAYLOAD_BYTES = TS_PACKET_BYTES - TS_HEADER_BYTES;
export const SYNC_BYTE = 0x47;
export const STUFFING_BYTE = 0xff;

/** Clock rates: PTS/DTS/PCR base at 90 kHz, PCR extension at 27 MHz. */
export const PTS_HZ = 90_000;
export const PTS_WRAP = 2 ** 33;
/** PCR runs this far behind DTS: the decoder buffers 700 ms (as ffmpeg's default muxdelay). */
export const PCR_LEAD_TICKS = 63_000;
/** At most this long between two PCRs (ISO 13818-1 allows 100 ms). */
export const PCR_MAX_INTERVAL_TICKS = 9_000;

export const Pid = { PAT: 0x0000, PMT: 0x1000, VIDEO: 0x0100, AUDIO: 0x0101 } as const;
export const StreamType = { H264: 0x1b, H265: 0x24, AAC_ADTS: 0x0f } as const;
/**
 * stream_type values a demuxer may meet (ISO 13818-1 table 2-34 and registrations), named
 * for messages.
 */
export const KnownStreamType: Readonly<Record<number, string>> = {
  0x01: 'MPEG-1 video',
  0x02: 'MPEG-2 video',
  0x03: 'MPEG-1 audio (MP2/MP3)',
  0x04: 'MPEG-2 audio (MP3)',
  0x06: 'private data (PCM, G.711, Opus, ...)',
  0x0f: 'AAC (ADTS)',
  0x10: 'MPEG-4 video',
  0x11: 'AAC (LATM)',
  0x1b: 'H.264',
  0x24: 'H.265',
  0x81: 'AC-3',
  0x87: 'E-AC-3',
};
/** stream_types that carry video (the rest of a PMT is audio or data). */
export const VIDEO_STREAM_TYPES: ReadonlySet<number> = new Set([0x01, 0x02, 0x10, 0x1b, 0x24]);
/** stream_types that carry audio. 0x06 (private data) is audio when its stream_id is an audio one. */
export const AUDIO_STREAM_TYPES: ReadonlySet<number> = new Set([0x03, 0x04, 0x0f, 0x11, 0x81, 0x87]);
export const StreamId = { VIDEO: 0xe0, AUDIO: 0xc0 } as const;
export const TableId = { PAT: 0x00, PMT: 0x02 } as const;
export const PROGRAM_NUMBER = 1;
export const TRANSPORT_STREAM_ID = 1;

/** adaptation_field_control (2 bits). */
export const AdaptationControl = { PAYLOAD: 0b01, ADAPTATION: 0b10, BOTH: 0b11 } as const;
/** Flags byte of adaptation_field(). */
export const AdaptationFlag = { DISCONTINUITY: 0x80, RANDOM_ACCESS: 0x40, PCR: 0x10 } as const;
/** PTS_DTS_flags prefixes written in the 4 high bits of a timestamp field. */
export const TimestampPrefix = { PTS_ONLY: 0b0010, PTS_WITH_DTS: 0b0011, DTS: 0b0001 } as const;
