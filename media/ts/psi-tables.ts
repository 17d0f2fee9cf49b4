import { crc32Mpeg2 } from './crc32-mpeg2.ts';
import { PROGRAM_NUMBER, Pid, StreamType, TableId, TRANSPORT_STREAM_ID } from './ts-constants.ts';

/**
 * program_association_section (ISO 13818-1 2.4.4.3), one program:
 *   table_id(8)=0 | syntax(1)=1 '0'(1) reserved(2) section_length(12)
 *   transport_stream_id(16) | reserved(2) version(5) current_next(1) | section_number(8) last_section_number(8)
 *   program_number(16) reserved(3) program_map_PID(13) | CRC_32(32)
 */
export function patSection(): Uint8Array {
  const s = new Uint8Array(16);
  const sectionLength = 13; // 5 header bytes after length + 4 program + 4 CRC
  s.set([TableId.PAT, 0xb0 | (sectionLength >> 8), sectionLength & 0xff]);
  s.set([TRANSPORT_STREAM_ID >> 8, TRANSPORT_STREAM_ID & 0xff, 0xc1, 0x00, 0x00], 3);
  s.set([PROGRAM_NUMBER >> 8, PROGRAM_NUMBER & 0xff, 0xe0 | (Pid.PMT >> 8), Pid.PMT & 0xff], 8);
  writeCrc(s);
  return s;
}

/**
 * TS_program_map_section (2.4.4.8):
 *   table_id(8)=2 | syntax(1)=1 '0'(1) reserved(2) section_length(12)
 *   program_number(16) | reserved(2) version(5) current_next(1) | section_number(8) last_section_number(8)
 *   reserved(3) PCR_PID(13) | reserved(4) program_info_length(12)=0
 *   per stream: stream_type(8) reserved(3) elementary_PID(13) reserved(4) ES_info_length(12)=0
 *   CRC_32(32)
 * The version is 1 with audio and 0 without, so a demuxer reading segments back to back
 * notices when audio is switched on or off.
 */
export function pmtSection(withAudio: boolean): Uint8Array {
  const streams: Array<[number, number]> = [[StreamType.H264, Pid.VIDEO]];
  if (withAudio) streams.push([StreamType.AAC_ADTS, Pid.AUDIO]);
  const sectionLength = 9 + 5 * streams.length + 4;
  const s = new Uint8Array(3 + sectionLength);
  const version = withAudio ? 1 : 0;
  s.set([TableId.PMT, 0xb0 | (sectionLength >> 8), sectionLength & 0xff]);
  s.set([PROGRAM_NUMBER >> 8, PROGRAM_NUMBER & 0xff, 0xc1 | (version << 1), 0x00, 0x00], 3);
  s.set([0xe0 | (Pid.VIDEO >> 8), Pid.VIDEO & 0xff, 0xf0, 0x00], 8);
  let o = 12;
  for (const [type, pid] of streams) {
    s.set([type, 0xe0 | (pid >> 8), pid & 0xff, 0xf0, 0x00], o);
    o += 5;
  }
  writeCrc(s);
  return s;
}

function writeCrc(section: Uint8Array): void {
  const end = section.byteLength - 4;
  const crc = crc32Mpeg2(section, 0, end);
  section[end] = crc >>> 24;
  section[end + 1] = (crc >>> 16) & 0xff;
  section[end + 2] = (crc >>> 8) & 0xff;
  section[end + 3] = crc & 0xff;
}
