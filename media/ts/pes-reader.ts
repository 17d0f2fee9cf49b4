import { readTimestampField } from './timestamp-fields.ts';

/** A PES packet's header fields camrec uses, and where its payload starts. */
export interface PesHeader {
  streamId: number;
  /** 33-bit values as written (unwrap them with the connection's clock). */
  pts?: number;
  dts?: number;
  /** Offset of the elementary stream bytes in the PES. */
  payloadOffset: number;
}

/**
 * PES header (ISO 13818-1 2.4.3.6), from the start of a PES packet:
 *   packet_start_code_prefix(24)=000001 | stream_id(8) | PES_packet_length(16) |
 *   '10'(2) scrambling(2) priority(1) alignment(1) copyright(1) original(1) |
 *   PTS_DTS_flags(2) ESCR(1) ES_rate(1) DSM(1) copy_info(1) CRC(1) extension(1) |
 *   PES_header_data_length(8) | [PTS(40)] [DTS(40)] ... stuffing
 * Returns undefined when the bytes are not a PES header this stream can hold.
 */
export function readPesHeader(pes: Uint8Array): PesHeader | undefined {
  if (pes.byteLength < 9 || pes[0] !== 0 || pes[1] !== 0 || pes[2] !== 1) return undefined;
  const streamId = pes[3]!;
  if ((pes[6]! & 0xc0) !== 0x80) return undefined;
  const flags = pes[7]! >> 6;
  const headerDataLength = pes[8]!;
  const payloadOffset = 9 + headerDataLength;
  if (payloadOffset > pes.byteLength) return undefined;
  const h: PesHeader = { streamId, payloadOffset };
  if (flags & 0b10) {
    if (headerDataLength < 5) return undefined;
    h.pts = readTimestampField(pes, 9);
    if (flags === 0b11) {
      if (headerDataLength < 10) return undefined;
      h.dts = readTimestampField(pes, 14);
    }
  }
  return h;
}

/** PES_packet_length (0: unbounded, as video PES often are). */
export function pesPacketLength(pes: Uint8Array): number {
  return (pes[4]! << 8) | pes[5]!;
}
