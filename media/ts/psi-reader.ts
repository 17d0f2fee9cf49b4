import { crc32Mpeg2 } from './crc32-mpeg2.ts';
import { TableId } from './ts-constants.ts';

/** One elementary stream of a program, as its PMT lists it. */
export interface PmtStream {
  streamType: number;
  pid: number;
  /** format_identifier of a registration descriptor (tag 0x05), e.g. 'Opus', when present. */
  registration?: string;
}

export interface PmtInfo {
  programNumber: number;
  version: number;
  pcrPid: number;
  streams: PmtStream[];
}

/** section_length (12 bits after table_id): bytes after the length field, CRC included. */
export function sectionLength(section: Uint8Array, offset = 0): number {
  return ((section[offset + 1]! & 0x0f) << 8) | section[offset + 2]!;
}

/** True when the section's CRC_32 checks (the CRC over the whole section, CRC included, is 0). */
export function sectionCrcOk(section: Uint8Array): boolean {
  return crc32Mpeg2(section, 0, section.byteLength) === 0;
}

/**
 * program_association_section (2.4.4.3): the PMT PID of the first program other than
 * 0 (the network PID), or undefined.
 *   table_id(8) | syntax(1) 0(1) reserved(2) section_length(12) | transport_stream_id(16)
 *   reserved(2) version(5) current_next(1) | section_number(8) | last_section_number(8)
 *   { program_number(16) reserved(3) PID(13) }* | CRC_32
 */
export function readPat(section: Uint8Array): number | undefined {
  if (section[0] !== TableId.PAT) return undefined;
  const end = 3 + sectionLength(section) - 4;
  for (let o = 8; o + 4 <= end; o += 4) {
    const program = (section[o]! << 8) | section[o + 1]!;
    if (program !== 0) return ((section[o + 2]! & 0x1f) << 8) | section[o + 3]!;
  }
  return undefined;
}

/**
 * TS_program_map_section (2.4.4.8):
 *   table_id(8)=2 | ... section_length(12) | program_number(16) | reserved(2) version(5) cn(1) |
 *   section_number(8) | last_section_number(8) | reserved(3) PCR_PID(13) | reserved(4) program_info_length(12) |
 *   descriptors | { stream_type(8) reserved(3) elementary_PID(13) reserved(4) ES_info_length(12) descriptors }* | CRC_32
 */
export function readPmt(section: Uint8Array): PmtInfo | undefined {
  if (section[0] !== TableId.PMT) return undefined;
  const end = 3 + sectionLength(section) - 4;
  if (end < 12 || end > section.byteLength) return undefined;
  const programNumber = (section[3]! << 8) | section[4]!;
  const version = (section[5]! >> 1) & 0x1f;
  const pcrPid = ((section[8]! & 0x1f) << 8) | section[9]!;
  const programInfoLength = ((section[10]! & 0x0f) << 8) | section[11]!;
  const streams: PmtStream[] = [];
  let o = 12 + programInfoLength;
  while (o + 5 <= end) {
    const streamType = section[o]!;
    const pid = ((section[o + 1]! & 0x1f) << 8) | section[o + 2]!;
    const infoLength = ((section[o + 3]! & 0x0f) << 8) | section[o + 4]!;
    const stream: PmtStream = { streamType, pid };
    // descriptors: tag(8) length(8) bytes; registration_descriptor (tag 5) holds a 4-char format_identifier.
    for (let d = o + 5; d + 2 <= o + 5 + infoLength && d + 2 <= end; d += 2 + section[d + 1]!) {
      if (section[d] === 0x05 && section[d + 1]! >= 4) stream.registration = String.fromCharCode(...section.subarray(d + 2, d + 6));
    }
    streams.push(stream);
    o += 5 + infoLength;
  }
  return { programNumber, version, pcrPid, streams };
}
