import { patSection, pmtSection } from './psi-tables.ts';
import { AdaptationControl, Pid, STUFFING_BYTE, SYNC_BYTE, TS_PACKET_BYTES } from './ts-constants.ts';

/**
 * One PSI section in one transport packet (ISO 13818-1 2.4.3.2), as the TS muxer writes it:
 *   sync_byte(8)=0x47 | TEI(1)=0 PUSI(1)=1 priority(1)=0 PID(13) | scrambling(2)=0 adaptation_field_control(2)=01 continuity_counter(4)=0
 *   pointer_field(8)=0 | the section | 0xFF stuffing to 188 bytes
 */
function sectionPacket(pid: number, section: Uint8Array): Uint8Array {
  const p = new Uint8Array(TS_PACKET_BYTES).fill(STUFFING_BYTE);
  p.set([SYNC_BYTE, 0x40 | ((pid >> 8) & 0x1f), pid & 0xff, AdaptationControl.PAYLOAD << 4, 0], 0);
  p.set(section, 5);
  return p;
}

/**
 * The Media Initialization Section of camrec's MPEG-TS segments (RFC 8216 3.2: "a Program
 * Association Table (PAT) followed by a Program Map Table (PMT)"): PAT then PMT (H.264
 * video; the segment's own PMT, right after it, adds AAC when the segment has audio). A
 * playlist names it with EXT-X-MAP where TS segments follow fMP4 ones, because an
 * EXT-X-MAP applies to every segment after it until the next one (RFC 8216 4.3.2.5).
 * 376 bytes, the same for every camera.
 */
export function tsInitSection(): Uint8Array {
  const out = new Uint8Array(2 * TS_PACKET_BYTES);
  out.set(sectionPacket(Pid.PAT, patSection()), 0);
  out.set(sectionPacket(Pid.PMT, pmtSection(false)), TS_PACKET_BYTES);
  return out;
}
