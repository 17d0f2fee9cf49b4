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
export const StreamType = { H264: 0x1b, AAC_ADTS: 0x0f } as const;
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
