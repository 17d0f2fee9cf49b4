import { PesAssembly } from './pes-assembly.ts';
import { readPesHeader } from './pes-reader.ts';
import { readPat, readPmt, sectionCrcOk, sectionLength, type PmtInfo } from './psi-reader.ts';
import { AdaptationFlag, Pid, SYNC_BYTE, TS_HEADER_BYTES, TS_PACKET_BYTES } from './ts-constants.ts';

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
  /** The elementary-stream bytes (PES payload): the unit's own copy. */
  data: Uint8Array;
}

export interface TsDemuxerHandlers {
  /** A (new version of the) PMT: the program's streams. */
  onProgram(pmt: PmtInfo): void;
  onPes(pes: DemuxedPes): void;
  /** Corrupt or lost input (counted; the demuxer resyncs by itself). */
  onError?(message: string): void;
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
 * Cost: packets that continue the unit last gathered (same PID, next continuity_counter,
 * payload only: nearly all video packets) are taken as a run, one 32-bit compare each and
 * one copy per run (PesAssembly.gatherRun); every other packet takes the general path. No
 * object is made per packet; chunks are read through a plain Uint8Array view (a Buffer's
 * subarray is a JS function, several times dearer). On an RTSP capture in `--lite-mode`:
 * ~230 ns a packet, against ~1,250 ns with a list of per-packet views.
 *
 * Memory: one partial packet, plus one buffer per PID as large as its largest unit
 * (<= maxPesBytes, see PesAssembly). Pushed chunks are not kept: the caller may reuse them.
 */
export class TsDemuxer {
  private carry = new Uint8Array(TS_PACKET_BYTES);
  private carried = 0;
  private pmtPid: number | undefined;
  private pmt: PmtInfo | undefined;
  private readonly streamTypes = new Map<number, number>();
  private readonly pes = new Map<number, PesAssembly>();
  /** The unit a packet most likely continues: the one the last PES packet went to. */
  private last: PesAssembly | undefined;
  private startSeq = 0;
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

  /** Bytes of the TS in any chunking (the chunk is not kept: its memory may be reused). */
  push(chunk: Uint8Array): void {
    const d = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const len = d.byteLength;
    let at = 0;
    if (this.carried > 0) {
      const n = Math.min(TS_PACKET_BYTES - this.carried, len);
      this.carry.set(d.subarray(0, n), this.carried);
      this.carried += n;
      at = n;
      if (this.carried < TS_PACKET_BYTES) return;
      this.carried = 0;
      if (this.carry[0] === SYNC_BYTE) this.packet(this.carry, 0);
      else this.lostSync();
    }
    const words = new DataView(d.buffer, d.byteOffset, len);
    while (at < len) {
      // Fast path: a run of packets continuing the unit last gathered, taken whole (PesAssembly.gatherRun).
      const a = this.last;
      if (a !== undefined) {
        const end = a.gatherRun(d, words, at);
        if (end !== at) {
          at = end;
          if (a.complete) this.emit(a);
          continue;
        }
      }
      if (d[at] !== SYNC_BYTE) {
        at = this.resync(d, at);
        if (at < 0) return;
        continue;
      }
      if (at + TS_PACKET_BYTES > len) {
        this.carry.set(d.subarray(at));
        this.carried = len - at;
        return;
      }
      this.packet(d, at);
      at += TS_PACKET_BYTES;
    }
  }

  /** End of input: hands over the units still being assembled. */
  flush(): void {
    const open = [...this.pes.values()].filter((a) => a.active).sort((x, y) => x.startSeq - y.startSeq);
    for (const a of open) this.emit(a);
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
    this.last = undefined;
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
   * One 188-byte packet at `p[at]` (2.4.3.2), the general path:
   *   sync(8) | TEI(1) PUSI(1) priority(1) PID(13) | scrambling(2) adaptation_field_control(2) CC(4) |
   *   [adaptation_field_length(8) flags(8) ...] payload
   */
  private packet(p: Uint8Array, at: number): void {
    const b1 = p[at + 1]!;
    if (b1 & 0x80) {
      this.error('transport_error_indicator set: packet dropped');
      return;
    }
    const pusi = (b1 & 0x40) !== 0;
    const pid = ((b1 & 0x1f) << 8) | p[at + 2]!;
    const control = (p[at + 3]! >> 4) & 0x03;
    const cc = p[at + 3]! & 0x0f;
    let o = TS_HEADER_BYTES;
    let randomAccess = false;
    if (control & 0b10) {
      const afLength = p[at + 4]!;
      if (afLength > 0) randomAccess = (p[at + 5]! & AdaptationFlag.RANDOM_ACCESS) !== 0;
      o = 5 + afLength;
      if (o > TS_PACKET_BYTES) {
        this.error(`adaptation field of ${afLength} bytes overruns the packet on PID ${pid}`);
        return;
      }
    }
    if (!(control & 0b01) || o >= TS_PACKET_BYTES) return;
    if (pid === Pid.PAT || pid === this.pmtPid) this.psi(pid, pusi, p.subarray(at + o, at + TS_PACKET_BYTES));
    else if (this.streamTypes.has(pid)) this.pesPacket(pid, pusi, cc, randomAccess, p, at + o, at + TS_PACKET_BYTES);
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
      if (pmtPid !== undefined && pmtPid !== this.pmtPid) {
        this.pmtPid = pmtPid;
        this.last = undefined; // its packets go to psi() from now on
      }
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
    if (this.last && !this.pes.has(this.last.pid)) this.last = undefined;
    this.streamTypes.clear();
    for (const st of pmt.streams) this.streamTypes.set(st.pid, st.streamType);
    this.pmt = pmt;
    this.h.onProgram(pmt);
  }

  /** A PES packet's payload `p[from, to)` on the general path (unit start, adaptation field, CC trouble, a full buffer). */
  private pesPacket(pid: number, pusi: boolean, cc: number, randomAccess: boolean, p: Uint8Array, from: number, to: number): void {
    let a = this.pes.get(pid);
    const open = a?.active === true;
    if (open && !pusi && cc === a!.lastCc) return; // a duplicate packet (allowed once)
    if (open && !pusi && cc !== ((a!.lastCc + 1) & 0x0f)) {
      this.error(`continuity counter jump on PID ${pid} (${a!.lastCc} -> ${cc}): a unit was lost`);
      a!.close();
      return;
    }
    if (pusi) {
      if (open) this.emit(a!);
      if (!a) {
        a = new PesAssembly(pid, this.maxPesBytes);
        this.pes.set(pid, a);
      }
      a.start(cc, randomAccess, this.startSeq++);
    }
    if (!a?.active) return; // the middle of a unit whose start we missed
    a.took(cc);
    if (!a.reserve(to - from)) {
      this.error(`PES on PID ${pid} grew past ${this.maxPesBytes} bytes: dropped`);
      a.close();
      return;
    }
    a.buf.set(p.subarray(from, to), a.bytes);
    a.bytes += to - from;
    this.last = a;
    a.readLength();
    if (a.complete) this.emit(a);
  }

  /** Hands on the unit gathered in `a`: its payload copied out (the buffer serves the next unit). */
  private emit(a: PesAssembly): void {
    a.close();
    if (a.bytes === 0) return;
    const pes = a.buf.subarray(0, a.bytes);
    const header = readPesHeader(pes);
    if (!header) {
      this.error(`a PES on PID ${a.pid} has no valid header: dropped`);
      return;
    }
    const end = a.expected ? Math.min(a.expected, a.bytes) : a.bytes;
    this.h.onPes({
      pid: a.pid,
      streamType: this.streamTypes.get(a.pid) ?? 0,
      streamId: header.streamId,
      pts: header.pts,
      dts: header.dts,
      randomAccess: a.randomAccess,
      data: pes.slice(header.payloadOffset, end),
    });
  }

  private error(message: string): void {
    this.errors++;
    this.h.onError?.(message);
  }
}
