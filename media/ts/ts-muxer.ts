import { AUDIO_PES_HEADER_BYTES, pesPacketCount, videoPesHeaderBytes, writeAudioPesHeader, writeVideoPesHeader } from './pes-header.ts';
import { patSection, pmtSection } from './psi-tables.ts';
import { EMPTY_BUFFER, SEGMENT_SPARE_BYTES, SegmentBuffers } from './segment-buffers.ts';
import type { SegmentStream } from './segment-stream.ts';
import { createWasmPacketizer, type WasmPacketizer } from './wasm-packetizer.ts';
import { writePcrField } from './timestamp-fields.ts';
import {
  AdaptationControl,
  AdaptationFlag,
  PCR_LEAD_TICKS,
  PCR_MAX_INTERVAL_TICKS,
  Pid,
  STUFFING_BYTE,
  SYNC_BYTE,
  TS_PACKET_BYTES,
  TS_PAYLOAD_BYTES,
} from './ts-constants.ts';

const MIN_SEGMENT_CAPACITY_BYTES = 256 * 1024;
/** A streaming muxer's buffer holds a part and this much more: a PES up to ~8 MB is muxed without growing it (maxFrameBytes is 4 MiB by default). */
const STREAM_PES_ROOM_BYTES = 8 * 1024 * 1024;
/** A segment's byte rate is projected over its expected duration once it spans this much (0.5 s: past the key frame's weight). */
const PROJECT_AFTER_TICKS = 45_000;
/** A projected buffer is at most this large (address space: pages no byte is written to are never mapped). */
const MAX_PROJECTED_BYTES = 256 * 1024 * 1024;
/** Room over the projection (and over the last segment, for the next one): bitrates vary. */
const GROWTH_MARGIN = 1.25;
/** PID is 13 bits: one continuity counter slot per PID. */
const PID_COUNT = 0x2000;
const CC_UNSET = 0xff;
const RANDOM_ACCESS_FLAG = AdaptationFlag.RANDOM_ACCESS;
const PCR_FLAG = AdaptationFlag.PCR;

// Where segment bytes live (allocation, given-back buffers, the bridge) is segment-buffers.ts.
export { SEGMENT_SPARE_BYTES, segmentBuffer } from './segment-buffers.ts';

export interface TsMuxerOptions {
  /**
   * How long segments are expected to be (90 kHz ticks; the segmenter's target). A segment
   * that outgrows its buffer half a second or more in grows once, to its byte rate over
   * this duration, instead of doubling (and copying) several times; the first segment
   * of a stream is the one this matters for (later ones start on a buffer the size of the last).
   */
  segmentTicks?: number;
  /**
   * Stream each segment out in parts as it is muxed (see SegmentStream); finishSegment()
   * then returns an empty view. Memory: one buffer of about a part and a picture.
   */
  stream?: SegmentStream;
}

/** Byte 3 of a packet with payload only, before its continuity counter (a module constant: V8 keeps no feedback for an operation in a branch the first PES skips). */
const PAYLOAD_ONLY = AdaptationControl.PAYLOAD << 4;
/** A segment is PAT (packet 0), PMT (packet 1), then PES packets. */
const PMT_PACKET_INDEX = 1;

/**
 * MPEG-TS muxer for one program (H.264 on PID 0x100, optional AAC ADTS on 0x101, PCR on
 * video). Writes one segment at a time into one buffer (grown rarely, never per packet)
 * and hands it over: PAT + PMT first, then PES packets; or, with a SegmentStream, hands it
 * out in parts as it goes. Continuity counters run on across segments (each segment is
 * still decodable on its own: a demuxer takes any first counter per PID).
 *
 * Memory: the open segment's buffer and SegmentBuffers' (one more segment buffer at most
 * when the receiver gives segments back in time, see segment-buffers.ts); streaming, one
 * buffer of a part and a picture, in WebAssembly memory where it runs.
 */
export class TsMuxer {
  /**
   * The open segment's buffer. Stored twice in the constructor on purpose: V8 treats a field
   * written once as a constant and builds it into optimized code, so the first growth (half a
   * second into the first segment) would throw writePes's optimized code away for a recompile.
   */
  private buf: Uint8Array = EMPTY_BUFFER;
  private len = 0;
  /** Last continuity_counter per PID (CC_UNSET before the first packet). */
  private readonly cc = new Uint8Array(PID_COUNT).fill(CC_UNSET);
  private lastPcrTicks: number | undefined;
  private readonly buffers = new SegmentBuffers();
  private readonly segmentTicks: number | undefined;
  /** Decode times of the open segment's first and latest video PES. */
  private firstDts: number | undefined;
  private lastDts = 0;
  /** End of the packets of the PES being written (stagePes -> packetize). */
  private pesEnd = 0;
  private readonly stream: SegmentStream | undefined;
  /** Streaming: the buffer in WebAssembly memory and its packetizer (undefined without WebAssembly SIMD). */
  private readonly wasm: WasmPacketizer | undefined;
  /** Bytes of the open segment already handed to the stream. */
  private streamed = 0;
  /** The PMT may still be rewritten (audio may join): nothing of the segment is streamed until then. */
  private pmtOpen = false;

  constructor(options: TsMuxerOptions = {}) {
    this.stream = options.stream;
    // A streaming muxer keeps one buffer (a part and a picture): in WebAssembly memory, so the
    // full packets of a PES are written in one call (ts-packetize.wat), not one copyWithin each.
    this.wasm = options.stream ? createWasmPacketizer(options.stream.partBytes + STREAM_PES_ROOM_BYTES) : undefined;
    this.buf = this.wasm ? this.wasm.bytes : this.buffers.allocate(MIN_SEGMENT_CAPACITY_BYTES);
    this.segmentTicks = options.segmentTicks;
  }

  /** Bytes of the open segment (streamed ones included). */
  get bytes(): number {
    return this.streamed + this.len;
  }

  /**
   * Starts a segment: PAT and PMT (listing audio only when `withAudio`). `audioMayJoin`: the
   * PMT may be rewritten by addAudioToPmt(), so a stream gets none of the segment before
   * audio joins or it ends.
   */
  beginSegment(withAudio: boolean, audioMayJoin = false): void {
    this.len = 0;
    this.streamed = 0;
    this.pmtOpen = audioMayJoin;
    this.lastPcrTicks = undefined;
    this.firstDts = undefined;
    this.writeSection(Pid.PAT, patSection());
    this.writeSection(Pid.PMT, pmtSection(withAudio));
  }

  /**
   * Audio joins the open segment (its first frame arrived after the segment opened, as at
   * start-up): rewrites the PMT, always the segment's second packet, in place to list the
   * audio PID, so the whole segment keeps one program description. Header bytes (PID,
   * continuity counter) stay as written; only the section and its stuffing change.
   */
  addAudioToPmt(): void {
    // Streaming: the PMT went out with the first part, unless the segment began with audioMayJoin.
    if (this.streamed > 0) throw new Error('TsMuxer.addAudioToPmt: the PMT was already streamed; begin the segment with audioMayJoin when audio may join');
    const at = PMT_PACKET_INDEX * TS_PACKET_BYTES;
    const section = pmtSection(true);
    this.buf[at + 4] = 0; // pointer_field
    this.buf.set(section, at + 5);
    this.buf.fill(STUFFING_BYTE, at + 5 + section.byteLength, at + TS_PACKET_BYTES);
    this.pmtOpen = false;
  }

  /**
   * One video access unit as a PES (stream_id 0xE0, PES_packet_length 0): `parts` are
   * the Annex-B bytes (start codes included) in order. PCR rides on the first packet
   * (with extra PCR-only packets first if the last PCR is over 100 ms old).
   */
  writeVideo(parts: readonly Uint8Array[], ptsTicks: number, dtsTicks: number, randomAccess: boolean): void {
    const pcr = dtsTicks - PCR_LEAD_TICKS;
    if (this.lastPcrTicks !== undefined) {
      let next = this.lastPcrTicks + PCR_MAX_INTERVAL_TICKS;
      for (let n = 0; next < pcr && n < 100; n++, next += PCR_MAX_INTERVAL_TICKS) this.writePcrOnly(next);
    }
    this.lastPcrTicks = pcr;
    this.firstDts ??= dtsTicks;
    this.lastDts = dtsTicks;
    // Flags picked by value (see RANDOM_ACCESS_FLAG): no operation without type feedback in the first PES.
    const flags = PCR_FLAG + (randomAccess ? RANDOM_ACCESS_FLAG : 0);
    const s = this.stagePes(videoPesHeaderBytes(ptsTicks, dtsTicks), parts, flags);
    writeVideoPesHeader(this.buf, s, ptsTicks, dtsTicks);
    this.packetize(s, Pid.VIDEO, flags, Math.max(0, pcr));
    this.streamPart();
  }

  /** ADTS frames (headers included) in one audio PES (stream_id 0xC0) with the first frame's PTS. */
  writeAudio(frames: readonly Uint8Array[], ptsTicks: number): void {
    let payloadBytes = 0;
    for (let i = 0; i < frames.length; i++) payloadBytes += frames[i]!.byteLength;
    const s = this.stagePes(AUDIO_PES_HEADER_BYTES, frames, 0);
    writeAudioPesHeader(this.buf, s, ptsTicks, payloadBytes);
    this.packetize(s, Pid.AUDIO, 0, 0);
    this.streamPart();
  }

  /** After a PES: a part to the stream once a part's worth is unsent (and the PMT is final). */
  private streamPart(): void {
    if (this.stream && this.len >= this.stream.partBytes && !this.pmtOpen) this.sendPart(this.stream, false);
  }

  /** Hands the unsent bytes to the stream; the buffer is written from its start again. */
  private sendPart(stream: SegmentStream, last: boolean): void {
    const part = this.buf.subarray(0, this.len);
    this.streamed += this.len;
    this.len = 0;
    stream.onPart(part, last);
  }

  /**
   * Hands the segment's bytes over (the receiver owns them) and starts on a given-back
   * buffer, else the bridge, else a fresh one (SegmentBuffers.next). The returned view's
   * buffer has SEGMENT_SPARE_BYTES or more after the segment (see `segmentBuffer()`).
   * Streaming: the rest of the segment goes to the stream as its last part, and the view
   * returned is empty (the buffer stays for the next segment).
   */
  finishSegment(): Uint8Array {
    if (this.stream) {
      this.sendPart(this.stream, true);
      this.streamed = 0;
      return EMPTY_BUFFER;
    }
    const out = this.buf.subarray(0, this.len);
    this.buf = this.buffers.next(
      Math.max(MIN_SEGMENT_CAPACITY_BYTES, Math.ceil((this.len * GROWTH_MARGIN) / TS_PACKET_BYTES) * TS_PACKET_BYTES + SEGMENT_SPARE_BYTES),
    );
    this.len = 0;
    return out;
  }

  /** Throws the open segment away (a refused stream); the buffer is kept for the next one. */
  discardSegment(): void {
    if (this.streamed > 0) this.stream?.onDiscard();
    this.streamed = 0;
    this.len = 0;
    this.lastPcrTicks = undefined;
    this.firstDts = undefined;
  }

  /**
   * Gives a segment's memory back for later segments (the caller must not touch it
   * afterwards). Takes only views that finishSegment() returned; anything else is ignored.
   */
  recycle(segmentBytes: Uint8Array): void {
    this.buffers.recycle(segmentBytes, this.buf);
  }

  /**
   * Room for `bytes` more. Growing copies the segment so far into the smallest given-back
   * buffer that holds it, else into fresh memory (whose pages the kernel maps one fault at a
   * time as they are written): at least double, and once the segment spans PROJECT_AFTER_TICKS,
   * its byte rate over `segmentTicks` (one growth, not five). The outgrown buffer becomes the
   * bridge if it is the largest small one so far.
   */
  private reserve(bytes: number): void {
    const need = this.len + bytes + SEGMENT_SPARE_BYTES;
    if (need <= this.buf.byteLength) return;
    let capacity = Math.max(this.buf.byteLength * 2, need);
    const spanTicks = this.firstDts === undefined ? 0 : this.lastDts - this.firstDts;
    if (this.segmentTicks !== undefined && spanTicks >= PROJECT_AFTER_TICKS) {
      const projected = Math.min(MAX_PROJECTED_BYTES, Math.ceil(((this.len * this.segmentTicks) / spanTicks) * GROWTH_MARGIN));
      capacity = Math.max(capacity, projected);
    }
    const next = this.buffers.grow(this.buf, need, capacity);
    next.set(this.buf.subarray(0, this.len), 0);
    this.buf = next;
  }

  /** TS header (2.4.3.2): sync(8) | TEI(1) PUSI(1) priority(1) PID(13) | scrambling(2) adaptation_field_control(2) CC(4). */
  private header(at: number, pid: number, unitStart: boolean, control: number): void {
    const b = this.buf;
    const last = this.cc[pid]!;
    const prev = last === CC_UNSET ? 15 : last;
    const cc = control === AdaptationControl.ADAPTATION ? prev : (prev + 1) & 0x0f;
    this.cc[pid] = cc;
    b[at] = SYNC_BYTE;
    b[at + 1] = (unitStart ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    b[at + 2] = pid & 0xff;
    b[at + 3] = (control << 4) | cc;
  }

  /** A PSI section in one packet: pointer_field 0, the section, 0xFF stuffing. */
  private writeSection(pid: number, section: Uint8Array): void {
    this.reserve(TS_PACKET_BYTES);
    const at = this.len;
    this.header(at, pid, true, AdaptationControl.PAYLOAD);
    this.buf[at + 4] = 0; // pointer_field
    this.buf.set(section, at + 5);
    this.buf.fill(STUFFING_BYTE, at + 5 + section.byteLength, at + TS_PACKET_BYTES);
    this.len += TS_PACKET_BYTES;
  }

  /** Adaptation-field-only packet on the video PID carrying a PCR (CC does not advance). */
  private writePcrOnly(pcrTicks: number): void {
    this.reserve(TS_PACKET_BYTES);
    const at = this.len;
    const b = this.buf;
    this.header(at, Pid.VIDEO, false, AdaptationControl.ADAPTATION);
    b[at + 4] = TS_PACKET_BYTES - 5; // adaptation_field_length: the rest of the packet
    b[at + 5] = AdaptationFlag.PCR;
    writePcrField(b, at + 6, pcrTicks);
    b.fill(STUFFING_BYTE, at + 12, at + TS_PACKET_BYTES);
    this.len += TS_PACKET_BYTES;
  }

  /**
   * A PES in packets, step 1: reserves its packets and stages `parts` right-aligned in them
   * (one set() per part), leaving `headerBytes` in front for the caller's PES header;
   * returns where that header goes. `flags`: the first packet's adaptation-field flags.
   */
  private stagePes(headerBytes: number, parts: readonly Uint8Array[], flags: number): number {
    let remaining = headerBytes;
    for (let i = 0; i < parts.length; i++) remaining += parts[i]!.byteLength;
    const packets = pesPacketCount(remaining, firstAdaptationBytes(flags));
    this.reserve(packets * TS_PACKET_BYTES);
    this.pesEnd = this.len + packets * TS_PACKET_BYTES;
    const s = this.pesEnd - remaining;
    let w = s + headerBytes;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      this.buf.set(p, w);
      w += p.byteLength;
    }
    return s;
  }

  /**
   * Step 2: moves the staged bytes (from `s` to the end of the PES's packets) down into the
   * packets, writing each packet's header: the full packets in one WebAssembly call when the
   * buffer is the streaming muxer's WebAssembly memory (ts-packetize.wat), else with one
   * copyWithin per packet (a memmove, no per-packet view or allocation). Staged bytes are never overwritten before they are moved: packets
   * i..k-1 hold all remaining payload plus at least packet i's header. The first packet
   * may carry an adaptation field (`flags`: random_access_indicator, PCR); the packets
   * between first and last are full (4-byte header, 184 payload bytes: a tight loop); the
   * last is padded with adaptation-field stuffing.
   */
  private packetize(s: number, pid: number, flags: number, pcrTicks: number): void {
    let remaining = this.pesEnd - s;
    const n = this.packet(s, remaining, pid, true, flags, pcrTicks);
    s += n;
    remaining -= n;
    if (remaining > TS_PAYLOAD_BYTES) {
      const b = this.buf;
      const pidHigh = (pid >> 8) & 0x1f;
      const pidLow = pid & 0xff;
      let cc = this.cc[pid]!;
      let at = this.len;
      const wasm = this.wasm;
      if (wasm !== undefined && b === wasm.bytes) {
        // The same packets in one WebAssembly call (a buffer grown past the module's memory is plain memory: the loop below).
        const n = Math.floor((remaining - 1) / TS_PAYLOAD_BYTES);
        cc = wasm.packetize(s, at, n, pidHigh, pidLow, PAYLOAD_ONLY, cc);
        s += n * TS_PAYLOAD_BYTES;
        remaining -= n * TS_PAYLOAD_BYTES;
        at += n * TS_PACKET_BYTES;
      }
      while (remaining > TS_PAYLOAD_BYTES) {
        cc = (cc + 1) & 0x0f;
        b[at] = SYNC_BYTE;
        b[at + 1] = pidHigh;
        b[at + 2] = pidLow;
        b[at + 3] = PAYLOAD_ONLY | cc;
        b.copyWithin(at + 4, s, s + TS_PAYLOAD_BYTES);
        s += TS_PAYLOAD_BYTES;
        remaining -= TS_PAYLOAD_BYTES;
        at += TS_PACKET_BYTES;
      }
      this.cc[pid] = cc;
      this.len = at;
    }
    if (remaining > 0) this.packet(s, remaining, pid, false, 0, 0);
  }

  /**
   * One packet of a PES at `len`, taking up to its room of the `remaining` staged bytes at
   * `s`; returns how many it took. `first` (payload_unit_start_indicator) with `flags`: an adaptation field
   * adaptation_field_length(8) flags(8) [PCR(48)]; a short payload is padded with
   * adaptation-field stuffing: adaptation_field_length(8) [flags(8)=0 stuffing 0xFF...].
   */
  private packet(s: number, remaining: number, pid: number, first: boolean, flags: number, pcrTicks: number): number {
    const b = this.buf;
    const at = this.len;
    let afBytes = firstAdaptationBytes(flags);
    const n = Math.min(TS_PAYLOAD_BYTES - afBytes, remaining);
    const stuffing = TS_PAYLOAD_BYTES - afBytes - n;
    if (stuffing > 0 && afBytes === 0)
      afBytes = stuffing; // length byte (+ flags 0x00) + 0xFF...
    else afBytes += stuffing;
    this.header(at, pid, first, afBytes ? AdaptationControl.BOTH : AdaptationControl.PAYLOAD);
    let w = at + 4;
    if (afBytes) {
      b[w++] = afBytes - 1; // adaptation_field_length
      if (afBytes > 1) {
        b[w++] = flags;
        if (flags & AdaptationFlag.PCR) {
          writePcrField(b, w, pcrTicks);
          w += 6;
        }
        const end = at + 4 + afBytes;
        if (w < end) b.fill(STUFFING_BYTE, w, end);
        w = end;
      }
    }
    if (w !== s) b.copyWithin(w, s, s + n);
    this.len += TS_PACKET_BYTES;
    return n;
  }
}

/** Adaptation-field bytes of a PES's first packet with these flags: length + flags [+ PCR], or none. */
function firstAdaptationBytes(flags: number): number {
  return flags === 0 ? 0 : flags & PCR_FLAG ? 8 : 2;
}
