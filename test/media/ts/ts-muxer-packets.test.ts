import { describe, expect, it } from 'vitest';
import { patSection, pmtSection } from '../../../media/ts/psi-tables.ts';
import { TsMuxer } from '../../../media/ts/ts-muxer.ts';

/**
 * The muxer's packets, byte for byte, against a plain packetizer written here from ISO
 * 13818-1 (2.4.3.2 packet header, 2.4.3.4 adaptation field, 2.4.3.6 PES header): one
 * packet at a time from the PES's bytes, no staging, no copyWithin. The muxer's fast path
 * (full packets between a PES's first and last) must give the same bytes for every
 * payload length, with and without PCR, random access, DTS, extra PCR-only packets and audio.
 */
const PACKET = 188;
const PAYLOAD = 184;

class ReferenceTs {
  readonly packets: number[][] = [];
  private readonly cc = new Map<number, number>();
  private lastPcr: number | undefined;

  /** Header: 0x47 | TEI=0 PUSI priority=0 PID(13) | scrambling=00 adaptation_field_control(2) continuity_counter(4). */
  private header(pid: number, pusi: boolean, control: number): number[] {
    const prev = this.cc.get(pid) ?? 15;
    const cc = control === 0b10 ? prev : (prev + 1) & 15;
    this.cc.set(pid, cc);
    return [0x47, (pusi ? 0x40 : 0) | (pid >> 8), pid & 0xff, (control << 4) | cc];
  }

  /** A segment starts: PAT, PMT; the next PCR starts afresh (no PCR-only packets before it). */
  begin(withAudio: boolean): void {
    this.lastPcr = undefined;
    this.section(0, patSection());
    this.section(0x1000, pmtSection(withAudio));
  }

  private section(pid: number, section: Uint8Array): void {
    const p = [...this.header(pid, true, 0b01), 0, ...section];
    while (p.length < PACKET) p.push(0xff);
    this.packets.push(p);
  }

  /** PCR: base(33) reserved(6) extension(9)=0. */
  private static pcr(base: number): number[] {
    const b = base % 2 ** 33;
    return [Math.floor(b / 2 ** 25) & 0xff, Math.floor(b / 2 ** 17) & 0xff, Math.floor(b / 2 ** 9) & 0xff, Math.floor(b / 2) & 0xff, ((b % 2) << 7) | 0x7e, 0];
  }

  /** prefix(4) ts[32..30] 1 | ts[29..15] 1 | ts[14..0] 1. */
  private static ts(prefix: number, t: number): number[] {
    const v = t % 2 ** 33;
    const hi = Math.floor(v / 2 ** 30);
    const lo = v % 2 ** 30;
    return [(prefix << 4) | (hi << 1) | 1, (lo >>> 22) & 0xff, (((lo >>> 15) & 0x7f) << 1) | 1, (lo >>> 7) & 0xff, ((lo & 0x7f) << 1) | 1];
  }

  video(parts: Uint8Array[], pts: number, dts: number, randomAccess: boolean): void {
    const pcr = dts - 63_000;
    if (this.lastPcr !== undefined)
      for (let next = this.lastPcr + 9000, n = 0; next < pcr && n < 100; n++, next += 9000) {
        const p = [...this.header(0x100, false, 0b10), 183, 0x10, ...ReferenceTs.pcr(next)];
        while (p.length < PACKET) p.push(0xff);
        this.packets.push(p);
      }
    this.lastPcr = pcr;
    const withDts = pts !== dts;
    const head = [0, 0, 1, 0xe0, 0, 0, 0x84, withDts ? 0xc0 : 0x80, withDts ? 10 : 5, ...ReferenceTs.ts(withDts ? 3 : 2, pts)];
    if (withDts) head.push(...ReferenceTs.ts(1, dts));
    this.pes(0x100, head, parts, [(randomAccess ? 0x40 : 0) | 0x10, ...ReferenceTs.pcr(Math.max(0, pcr))]);
  }

  audio(frames: Uint8Array[], pts: number): void {
    const len = 8 + frames.reduce((n, f) => n + f.byteLength, 0);
    this.pes(0x101, [0, 0, 1, 0xc0, (len >> 8) & 0xff, len & 0xff, 0x84, 0x80, 5, ...ReferenceTs.ts(2, pts)], frames, undefined);
  }

  /** A PES: the first packet has `firstAf` (flags and their fields) if given; the last is padded with adaptation-field stuffing. */
  private pes(pid: number, head: number[], parts: Uint8Array[], firstAf: number[] | undefined): void {
    const bytes = [...head, ...parts.flatMap((p) => [...p])];
    let first = true;
    while (bytes.length > 0) {
      const af = first && firstAf ? [...firstAf] : [];
      const room = PAYLOAD - (af.length ? af.length + 1 : 0);
      const take = bytes.splice(0, room);
      const pad = room - take.length;
      let field: number[] = [];
      if (af.length) field = [af.length + pad, ...af, ...new Array<number>(pad).fill(0xff)];
      else if (pad === 1) field = [0];
      else if (pad > 1) field = [pad - 1, 0, ...new Array<number>(pad - 2).fill(0xff)];
      this.packets.push([...this.header(pid, first, field.length ? 0b11 : 0b01), ...field, ...take]);
      first = false;
    }
  }

  bytes(): Buffer {
    for (const p of this.packets) if (p.length !== PACKET) throw new Error(`reference packet of ${p.length} bytes`);
    return Buffer.from(this.packets.flat());
  }
}

/** Bytes 0..n-1 in a pattern no two packets share by chance. */
const pattern = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);

describe('TsMuxer packets, byte for byte against a plain packetizer', () => {
  it('every video payload length from 1 to 1200 bytes, with and without random access and DTS', () => {
    const m = new TsMuxer();
    const ref = new ReferenceTs();
    m.beginSegment(false);
    ref.begin(false);
    for (let len = 1; len <= 1200; len++) {
      const t = 126_000 + len * 3600;
      const parts = [Uint8Array.of(0, 0, 0, 1), pattern(len, len)];
      const dts = len % 3 === 0 ? t - 3600 : t;
      m.writeVideo(parts, t, dts, len % 5 === 0);
      ref.video(parts, t, dts, len % 5 === 0);
    }
    const out = m.finishSegment();
    expect(out.byteLength).toBe(ref.bytes().byteLength);
    expect(Buffer.compare(Buffer.from(out), ref.bytes())).toBe(0);
  });

  it('frames of a real stream size (1 to 60 kB, several parts), audio between them, PCR-only packets over gaps, across two segments', () => {
    const m = new TsMuxer({ segmentTicks: 2 * 90_000 });
    const ref = new ReferenceTs();
    for (let seg = 0; seg < 2; seg++) {
      m.beginSegment(true);
      ref.begin(true);
      for (let i = 0; i < 60; i++) {
        const t = 200_000 + seg * 500_000 + i * (i % 7 === 6 ? 30_000 : 3600);
        const sizes = [4, 9 + (i % 3), 4, (i * 977 + seg * 13) % 60_000 || 1];
        const parts = sizes.map((n, k) => pattern(n, i * 4 + k));
        m.writeVideo(parts, t + 7200, t, i % 25 === 0);
        ref.video(parts, t + 7200, t, i % 25 === 0);
        const frames = [pattern(7 + ((i * 53) % 400), i), pattern(200, i + 1)];
        m.writeAudio(frames, t);
        ref.audio(frames, t);
      }
      const out = m.finishSegment();
      const want = ref.bytes();
      ref.packets.length = 0;
      expect(out.byteLength, `segment ${seg}`).toBe(want.byteLength);
      expect(Buffer.compare(Buffer.from(out), want), `segment ${seg}`).toBe(0);
    }
  });
});
