import { pesPacketLength } from './pes-reader.ts';
import { AdaptationControl, SYNC_BYTE, TS_HEADER_BYTES, TS_PACKET_BYTES, TS_PAYLOAD_BYTES } from './ts-constants.ts';

/**
 * The bits of a TS packet header (read as a big-endian 32-bit word) that PesAssembly.nextHeader
 * fixes: sync_byte, transport_error_indicator, payload_unit_start_indicator, PID,
 * adaptation_field_control, continuity_counter (priority and scrambling are not looked at).
 */
export const CONTINUATION_MASK = 0xffdfff3f | 0;

/** First size of a PID's assembly buffer; it doubles as units need (up to the demuxer's maxPesBytes). */
const INITIAL_BYTES = 64 * 1024;

/**
 * One PES being gathered on a PID: the payloads of its TS packets copied one after another
 * into one buffer, which the next unit on the PID reuses (no list of views, no buffer per
 * packet). The demuxer hands each whole unit on as a copy of its elementary-stream bytes.
 *
 * Memory: `buf` grows to the largest unit seen on the PID (<= the demuxer's maxPesBytes)
 * and stays for the life of the demuxer.
 */
export class PesAssembly {
  /** Never larger than maxBytes: a unit that fits here fits the limit. */
  buf: Uint8Array;
  /** Bytes gathered so far (PES header included). */
  bytes = 0;
  /** PES_packet_length + 6, or 0 when unbounded (or not read yet). */
  expected = 0;
  /** PES_packet_length has been read (it is in the unit's first 6 bytes). */
  lengthKnown = false;
  randomAccess = false;
  lastCc = 0;
  /**
   * The 4-byte header the unit's next packet has on the fast path, under CONTINUATION_MASK:
   * sync 0x47, no error, no unit start, this PID, payload only, continuity_counter + 1
   * (-1 when no unit is open: it matches nothing).
   */
  nextHeader = -1;
  /** A unit is being gathered (its start was seen and nothing broke it since). */
  active = false;
  /** Order of its start among all PIDs' (flush hands units on in that order). */
  startSeq = 0;

  constructor(
    readonly pid: number,
    private readonly maxBytes: number,
  ) {
    this.buf = new Uint8Array(Math.min(INITIAL_BYTES, maxBytes));
  }

  /** A new unit starts (payload_unit_start_indicator). */
  start(cc: number, randomAccess: boolean, seq: number): void {
    this.bytes = 0;
    this.expected = 0;
    this.lengthKnown = false;
    this.randomAccess = randomAccess;
    this.active = true;
    this.startSeq = seq;
    this.took(cc);
  }

  /** A packet with continuity_counter `cc` was gathered. */
  took(cc: number): void {
    this.lastCc = cc;
    this.nextHeader = (SYNC_BYTE << 24) | (this.pid << 8) | (AdaptationControl.PAYLOAD << 4) | ((cc + 1) & 0x0f);
  }

  /** The unit was handed on or dropped. */
  close(): void {
    this.active = false;
    this.nextHeader = -1;
  }

  /**
   * Makes room for `more` bytes; false when the unit would pass maxBytes (the caller drops it).
   * Growth doubles, so a unit is copied O(1) times on average.
   */
  reserve(more: number): boolean {
    const need = this.bytes + more;
    if (need <= this.buf.byteLength) return true;
    if (need > this.maxBytes) return false;
    const grown = new Uint8Array(Math.min(this.maxBytes, Math.max(need, 2 * this.buf.byteLength)));
    grown.set(this.buf.subarray(0, this.bytes));
    this.buf = grown;
    return true;
  }

  /** The whole unit is in (PES_packet_length reached); unbounded units end at the next start instead. */
  get complete(): boolean {
    return this.expected !== 0 && this.bytes >= this.expected;
  }

  /**
   * Takes the run of packets at `d[at]` (`words` a DataView of `d`) that continue this unit:
   * each found with one 32-bit compare against nextHeader, all copied in one call, their
   * 4-byte headers then squeezed out in place (copyWithin: no object per packet). Locals, not
   * properties, in the loops: in V8's interpreter (`--lite-mode`) a local costs far less.
   * Stops at the unit's end (PES_packet_length) and when the buffer has no room for a whole
   * packet (the general path grows it). Returns the offset after the run (`at` when none).
   */
  gatherRun(d: Uint8Array, words: DataView, at: number): number {
    const buf = this.buf;
    const bytes = this.bytes;
    const len = d.byteLength;
    if (!this.lengthKnown || bytes + TS_PACKET_BYTES > buf.byteLength || at + TS_PACKET_BYTES > len) return at;
    let next = this.nextHeader;
    if ((words.getUint32(at) & CONTINUATION_MASK) !== next) return at;
    const expected = this.expected;
    const most = Math.floor((buf.byteLength - bytes) / TS_PACKET_BYTES);
    let k = 0;
    let end = at;
    do {
      k++;
      end += TS_PACKET_BYTES;
      next = (next & ~0x0f) | ((next + 1) & 0x0f);
    } while (
      k < most &&
      (expected === 0 || bytes + k * TS_PAYLOAD_BYTES < expected) &&
      end + TS_PACKET_BYTES <= len &&
      (words.getUint32(end) & CONTINUATION_MASK) === next
    );
    buf.set(d.subarray(at, end), bytes);
    for (let j = 0; j < k; j++) buf.copyWithin(bytes + j * TS_PAYLOAD_BYTES, bytes + j * TS_PACKET_BYTES + TS_HEADER_BYTES, bytes + (j + 1) * TS_PACKET_BYTES);
    this.bytes = bytes + k * TS_PAYLOAD_BYTES;
    this.took((next + 0x0f) & 0x0f);
    return end;
  }

  /** Reads PES_packet_length once the first 6 bytes are in (00 00 01 stream_id length(16)). */
  readLength(): void {
    if (this.lengthKnown || this.bytes < 6) return;
    const length = pesPacketLength(this.buf);
    this.expected = length ? length + 6 : 0;
    this.lengthKnown = true;
  }
}
