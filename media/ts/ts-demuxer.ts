import { pesPacketLength, readPesHeader } from './pes-reader.ts';
import { readPat, readPmt, sectionCrcOk, sectionLength, type PmtInfo } from './psi-reader.ts';
import { AdaptationFlag, Pid, SYNC_BYTE, TS_PACKET_BYTES } from './ts-constants.ts';

/** One elementary-stream unit (a whole PES packet) of the program. */
export interface DemuxedPes {
  pid: number;
  streamType: number;
  streamId: number;
  /** 33-bit presentation/decode times as written; DTS absent means DTS = PTS. */
  pts?: number;
  dts?: number;
  /** random_access_indicator was set on its first packet. */
  randomAccess: boolean;
  /** The elementary-stream bytes (PES payload): a copy, or a view of one pushed chunk. */
  data: Uint8Array;
}

export interface TsDemuxerHandlers {
  /** A (new version of the) PMT: the program's streams. */
  onProgram(pmt: PmtInfo): void;
  onPes(pes: DemuxedPes): void;
  /** Corrupt or lost input (counted; the demuxer resyncs by itself). */
  onError?(message: string): void;
}

interface PesAssembly {
  parts: Uint8Array[];
  bytes: number;
  /** PES_packet_length + 6, or 0 when unbounded (or not read yet). */
  expected: number;
  /** PES_packet_length has been read (it is in the unit's first 6 bytes). */
  lengthKnown: boolean;
  randomAccess: boolean;
  lastCc: number;
}

/** A PSI section spread over packets. */
interface SectionAssembly {
  buf: Uint8Array;
  have: number;
}

/** Largest PES camrec believes (a 4K IDR is a few MB); past it the unit is dropped and counted. */
const DEFAULT_MAX_PES_BYTES = 8 * 1024 * 1024;
const MAX_SECTION_BYTES = 1024;

/**
 * A streaming MPEG-TS demuxer for one program (what ffmpeg's `-f mpegts` writes to a
 * pipe): 188-byte packets in any chunking -> PAT -> PMT -> PES per elementary stream,
 * with their 33-bit PTS/DTS as written (the clock stage unwraps and maps them).
 *
 * Codec-agnostic: it hands over stream_type with every unit, so H.265 (0x24) or another
 * audio codec needs a parser beside h264/ and aac/, not a change here.
 *
 * Video PES are usually unbounded (PES_packet_length 0): such a unit is complete when the
 * next one on its PID starts (or at flush()). Lost sync is found again at the next sync
 * byte that starts two packets in a row; a continuity_counter jump drops the unit being
 * assembled on that PID. Each problem is reported once through onError and counted.
 *
 * Memory: one partial packet, plus the unit being assembled per PID (<= maxPesBytes), which
 * holds views of the pushed chunks until it is complete: do not reuse a pushed chunk.
 */
export class TsDemuxer {
  private carry = new Uint8Array(TS_PACKET_BYTES);
  private carried = 0;
  private pmtPid: number | undefined;
  private pmt: PmtInfo | undefined;
  private readonly streamTypes = new Map<number, number>();
  private readonly pes = new Map<number, PesAssembly>();
  private readonly sections = new Map<number, SectionAssembly>();
  private lastPmtCrc = -1;
  /** Problems found so far. */
  errors = 0;

  constructor(
    private readonly h: TsDemuxerHandlers,
    private readonly maxPesBytes = DEFAULT_MAX_PES_BYTES,
  ) {}

  /** The current program (after the first PMT). */
  get program(): PmtInfo | undefined {
    return this.pmt;
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    if (this.carried > 0) {
      const need = TS_PACKET_BYTES - this.carried;
      const n = Math.min(need, chunk.byteLength);
      this.carry.set(chunk.subarray(0, n), this.carried);
      this.carried += n;
      at = n;
      if (this.carried < TS_PACKET_BYTES) return;
      this.carried = 0;
      // A copy: the carry buffer is reused, and units keep views of their packets.
      if (this.carry[0] === SYNC_BYTE) this.packet(this.carry.slice());
      else this.lostSync();
    }
    while (at < chunk.byteLength) {
      if (chunk[at] !== SYNC_BYTE) {
        const next = this.resync(chunk, at);
        if (next < 0) return;
        at = next;
        continue;
      }
      if (at + TS_PACKET_BYTES > chunk.byteLength) {
        this.carry.set(chunk.subarray(at));
        this.carried = chunk.byteLength - at;
        return;
      }
      this.packet(chunk.subarray(at, at + TS_PACKET_BYTES));
      at += TS_PACKET_BYTES;
    }
  }

  /** End of input: hands over the units still being assembled. */
  flush(): void {
    for (const pid of [...this.pes.keys()]) this.emit(pid);
    this.carried = 0;
  }

  /** Forgets everything (a new connection). */
  reset(): void {
    this.carried = 0;
    this.pmtPid = undefined;
    this.pmt = undefined;
    this.lastPmtCrc = -1;
    this.streamTypes.clear();
    this.pes.clear();
    this.sections.clear();
  }

  private lostSync(): void {
    this.error('lost MPEG-TS sync (a packet did not start with 0x47): resyncing');
  }

  /** Index of the next sync byte that has another one a packet later (or at the end), or -1. */
  private resync(chunk: Uint8Array, from: number): number {
    this.lostSync();
    for (let i = from + 1; i < chunk.byteLength; i++) {
      if (chunk[i] !== SYNC_BYTE) continue;
      if (i + TS_PACKET_BYTES >= chunk.byteLength || chunk[i + TS_PACKET_BYTES] === SYNC_BYTE) return i;
    }
    return -1;
  }

  /**
   * One 188-byte packet (2.4.3.2):
   *   sync(8) | TEI(1) PUSI(1) priority(1) PID(13) | scrambling(2) adaptation_field_control(2) CC(4) |
   *   [adaptation_field_length(8) flags(8) ...] payload
   */
  private packet(p: Uint8Array): void {
    if (p[1]! & 0x80) {
      this.error('transport_error_indicator set: packet dropped');
      return;
    }
    const pusi = (p[1]! & 0x40) !== 0;
    const pid = ((p[1]! & 0x1f) << 8) | p[2]!;
    const control = (p[3]! >> 4) & 0x03;
    const cc = p[3]! & 0x0f;
    let o = 4;
    let randomAccess = false;
    if (control & 0b10) {
      const afLength = p[4]!;
      if (afLength > 0) randomAccess = (p[5]! & AdaptationFlag.RANDOM_ACCESS) !== 0;
      o = 5 + afLength;
      if (o > TS_PACKET_BYTES) {
        this.error(`adaptation field of ${afLength} bytes overruns the packet on PID ${pid}`);
        return;
      }
    }
    if (!(control & 0b01) || o >= TS_PACKET_BYTES) return;
    const payload = p.subarray(o);
    if (pid === Pid.PAT || pid === this.pmtPid) this.psi(pid, pusi, payload);
    else if (this.streamTypes.has(pid)) this.pesPacket(pid, pusi, cc, randomAccess, payload);
  }

  /** PSI: pointer_field(8) on a unit start, then sections; one section per table here (PAT, PMT). */
  private psi(pid: number, pusi: boolean, payload: Uint8Array): void {
    let part = payload;
    if (pusi) {
      const pointer = payload[0]!;
      part = payload.subarray(1 + pointer);
      if (part.byteLength < 3) return;
      const total = 3 + sectionLength(part);
      if (total > MAX_SECTION_BYTES) {
        this.error(`PSI section of ${total} bytes on PID ${pid}: ignored`);
        return;
      }
      this.sections.set(pid, { buf: new Uint8Array(total), have: 0 });
    }
    const s = this.sections.get(pid);
    if (!s) return;
    const n = Math.min(part.byteLength, s.buf.byteLength - s.have);
    s.buf.set(part.subarray(0, n), s.have);
    s.have += n;
    if (s.have < s.buf.byteLength) return;
    this.sections.delete(pid);
    this.section(pid, s.buf);
  }

  private section(pid: number, section: Uint8Array): void {
    if (!sectionCrcOk(section)) {
      this.error(`PSI section on PID ${pid} fails its CRC: ignored`);
      return;
    }
    if (pid === Pid.PAT) {
      const pmtPid = readPat(section);
      if (pmtPid !== undefined) this.pmtPid = pmtPid;
      return;
    }
    const crc =
      (section[section.byteLength - 4]! << 24) |
      (section[section.byteLength - 3]! << 16) |
      (section[section.byteLength - 2]! << 8) |
      section[section.byteLength - 1]!;
    if (crc === this.lastPmtCrc) return; // the same PMT again (repeated in every segment/second)
    const pmt = readPmt(section);
    if (!pmt) return;
    this.lastPmtCrc = crc;
    // Units of streams that left the program are dropped; new streams start clean.
    for (const pidNow of [...this.pes.keys()]) if (!pmt.streams.some((x) => x.pid === pidNow)) this.pes.delete(pidNow);
    this.streamTypes.clear();
    for (const st of pmt.streams) this.streamTypes.set(st.pid, st.streamType);
    this.pmt = pmt;
    this.h.onProgram(pmt);
  }

  private pesPacket(pid: number, pusi: boolean, cc: number, randomAccess: boolean, payload: Uint8Array): void {
    let a = this.pes.get(pid);
    if (a && !pusi && cc === a.lastCc) return; // a duplicate packet (allowed once)
    if (a && !pusi && cc !== ((a.lastCc + 1) & 0x0f)) {
      this.error(`continuity counter jump on PID ${pid} (${a.lastCc} -> ${cc}): a unit was lost`);
      this.pes.delete(pid);
      return;
    }
    if (pusi) {
      if (a) this.emit(pid);
      a = { parts: [], bytes: 0, expected: 0, lengthKnown: false, randomAccess, lastCc: cc };
      this.pes.set(pid, a);
    }
    if (!a) return; // the middle of a unit whose start we missed
    a.lastCc = cc;
    if (a.bytes + payload.byteLength > this.maxPesBytes) {
      this.error(`PES on PID ${pid} grew past ${this.maxPesBytes} bytes: dropped`);
      this.pes.delete(pid);
      return;
    }
    // A view: pushed chunks are not reused by their owner (pipe reads are fresh buffers);
    // the unit is copied once, whole, when it is complete.
    a.parts.push(payload);
    a.bytes += payload.byteLength;
    if (!a.lengthKnown && a.bytes >= 6) {
      const head = a.parts.length === 1 ? a.parts[0]! : concat(a.parts, a.bytes);
      const length = pesPacketLength(head);
      a.expected = length ? length + 6 : 0;
      a.lengthKnown = true;
    }
    if (a.expected && a.bytes >= a.expected) this.emit(pid);
  }

  private emit(pid: number): void {
    const a = this.pes.get(pid);
    this.pes.delete(pid);
    if (!a || a.bytes === 0) return;
    const pes = a.parts.length === 1 ? a.parts[0]! : concat(a.parts, a.bytes);
    const header = readPesHeader(pes);
    if (!header) {
      this.error(`a PES on PID ${pid} has no valid header: dropped`);
      return;
    }
    const end = a.expected ? Math.min(a.expected, pes.byteLength) : pes.byteLength;
    this.h.onPes({
      pid,
      streamType: this.streamTypes.get(pid) ?? 0,
      streamId: header.streamId,
      pts: header.pts,
      dts: header.dts,
      randomAccess: a.randomAccess,
      data: pes.subarray(header.payloadOffset, end),
    });
  }

  private error(message: string): void {
    this.errors++;
    this.h.onError?.(message);
  }
}

function concat(parts: Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
