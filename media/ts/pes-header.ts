/** PES headers (ISO/IEC 13818-1 2.4.3.6) for the TS muxer, and how many packets a PES takes. */
import { writeTimestampField } from './timestamp-fields.ts';
import { StreamId, TimestampPrefix, TS_PAYLOAD_BYTES } from './ts-constants.ts';

const PES_HEADER_MAX_BYTES = 19;

/** Packets for a PES of `payloadBytes` (header included) whose first packet has a `firstAfBytes` adaptation field. */
export function pesPacketCount(payloadBytes: number, firstAfBytes: number): number {
  const firstPayload = TS_PAYLOAD_BYTES - firstAfBytes;
  return payloadBytes <= firstPayload ? 1 : 1 + Math.ceil((payloadBytes - firstPayload) / TS_PAYLOAD_BYTES);
}

/** Bytes of a video PES header: 19 with a DTS (it differs from the PTS), else 14. */
export function videoPesHeaderBytes(ptsTicks: number, dtsTicks: number): number {
  return dtsTicks !== ptsTicks ? PES_HEADER_MAX_BYTES : 14;
}

/**
 * PES header (2.4.3.6) for video, written at `offset` (videoPesHeaderBytes long): 00 00 01 E0,
 * PES_packet_length 0 (unbounded), '10' scrambling(2)=0 priority(1)=0 data_alignment(1)=1
 * copyright(1) original(1) = 0x84, PTS_DTS_flags(2) + 6 flags, header_data_length, PTS [DTS].
 * Written in place: the muxer stages it in the segment buffer, no array per frame.
 */
export function writeVideoPesHeader(out: Uint8Array, offset: number, ptsTicks: number, dtsTicks: number): void {
  const withDts = dtsTicks !== ptsTicks;
  writeStart(out, offset, StreamId.VIDEO, 0);
  out[offset + 7] = withDts ? 0xc0 : 0x80;
  out[offset + 8] = withDts ? 10 : 5;
  writeTimestampField(out, offset + 9, withDts ? TimestampPrefix.PTS_WITH_DTS : TimestampPrefix.PTS_ONLY, ptsTicks);
  if (withDts) writeTimestampField(out, offset + 14, TimestampPrefix.DTS, dtsTicks);
}

/** Bytes of an audio PES header. */
export const AUDIO_PES_HEADER_BYTES = 14;

/** PES header for audio at `offset`: 00 00 01 C0, PES_packet_length = 3 + 5 + payload, 0x84, PTS only, 5, PTS. */
export function writeAudioPesHeader(out: Uint8Array, offset: number, ptsTicks: number, payloadBytes: number): void {
  writeStart(out, offset, StreamId.AUDIO, 8 + payloadBytes);
  out[offset + 7] = 0x80;
  out[offset + 8] = 5;
  writeTimestampField(out, offset + 9, TimestampPrefix.PTS_ONLY, ptsTicks);
}

/** packet_start_code_prefix 00 00 01, stream_id, PES_packet_length(16), then 0x84 ('10', data_alignment). */
function writeStart(out: Uint8Array, offset: number, streamId: number, pesLength: number): void {
  out[offset] = 0x00;
  out[offset + 1] = 0x00;
  out[offset + 2] = 0x01;
  out[offset + 3] = streamId;
  out[offset + 4] = (pesLength >> 8) & 0xff;
  out[offset + 5] = pesLength & 0xff;
  out[offset + 6] = 0x84;
}
