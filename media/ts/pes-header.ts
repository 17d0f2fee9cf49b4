/** PES headers (ISO/IEC 13818-1 2.4.3.6) for the TS muxer, and how many packets a PES takes. */
import { writeTimestampField } from './timestamp-fields.ts';
import { StreamId, TimestampPrefix, TS_PAYLOAD_BYTES } from './ts-constants.ts';

const PES_HEADER_MAX_BYTES = 19;

/** Packets for a PES of `payloadBytes` (header included) whose first packet has a `firstAfBytes` adaptation field. */
export function pesPacketCount(payloadBytes: number, firstAfBytes: number): number {
  const firstPayload = TS_PAYLOAD_BYTES - firstAfBytes;
  return payloadBytes <= firstPayload ? 1 : 1 + Math.ceil((payloadBytes - firstPayload) / TS_PAYLOAD_BYTES);
}

/**
 * PES header (2.4.3.6) for video: 00 00 01 E0, PES_packet_length 0 (unbounded),
 * '10' scrambling(2)=0 priority(1)=0 data_alignment(1)=1 copyright(1) original(1) = 0x84,
 * PTS_DTS_flags(2) + 6 flags, header_data_length, PTS [DTS].
 */
export function videoPesHeader(ptsTicks: number, dtsTicks: number): Uint8Array {
  const withDts = dtsTicks !== ptsTicks;
  const h = new Uint8Array(withDts ? PES_HEADER_MAX_BYTES : 14);
  h.set([0x00, 0x00, 0x01, StreamId.VIDEO, 0x00, 0x00, 0x84, withDts ? 0xc0 : 0x80, withDts ? 10 : 5]);
  writeTimestampField(h, 9, withDts ? TimestampPrefix.PTS_WITH_DTS : TimestampPrefix.PTS_ONLY, ptsTicks);
  if (withDts) writeTimestampField(h, 14, TimestampPrefix.DTS, dtsTicks);
  return h;
}

/** PES header for audio: 00 00 01 C0, PES_packet_length = 3 + 5 + payload, 0x84, PTS only, 5, PTS. */
export function audioPesHeader(ptsTicks: number, payloadBytes: number): Uint8Array {
  const h = new Uint8Array(14);
  const pesLength = 8 + payloadBytes;
  h.set([0x00, 0x00, 0x01, StreamId.AUDIO, (pesLength >> 8) & 0xff, pesLength & 0xff, 0x84, 0x80, 5]);
  writeTimestampField(h, 9, TimestampPrefix.PTS_ONLY, ptsTicks);
  return h;
}
