import { describe, expect, it } from 'vitest';
import { crc32Mpeg2 } from '../../../media/ts/crc32-mpeg2.ts';
import { patSection, pmtSection } from '../../../media/ts/psi-tables.ts';
import { readTimestampField, writeTimestampField } from '../../../media/ts/timestamp-fields.ts';
import { TsMuxer } from '../../../media/ts/ts-muxer.ts';
import { pesStarts, readPackets } from '../../fixtures/ts-inspect.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('PSI tables', () => {
  it('writes the PAT ffmpeg writes for one program with PMT PID 0x1000 (CRC 2AB104B2)', () => {
    // table_id 00 | 1011 section_length 00D | tsid 0001 | C1 (version 0, current) | 00 00 |
    // program 0001 | 111 PID 1000 | CRC32/MPEG-2
    expect(hex(patSection())).toBe('00b00d0001c100000001f0002ab104b2');
  });

  it('writes a PMT with H.264 (0x1B, PID 0x100, PCR PID) and AAC (0x0F, PID 0x101) only when audio is on', () => {
    const withAudio = pmtSection(true);
    // 02 | B0 17 | program 0001 | C3 (version 1) 00 00 | E1 00 (PCR PID 0x100) | F0 00 |
    // 1B E1 00 F0 00 | 0F E1 01 F0 00 | CRC
    expect(hex(withAudio.subarray(0, withAudio.byteLength - 4))).toBe('02b0170001c30000e100f0001be100f0000fe101f000');
    const videoOnly = pmtSection(false);
    expect(hex(videoOnly.subarray(0, videoOnly.byteLength - 4))).toBe('02b0120001c10000e100f0001be100f000');
    for (const s of [patSection(), withAudio, videoOnly]) expect(crc32Mpeg2(s)).toBe(0); // CRC over section incl. CRC is 0
  });
});

describe('timestamp fields', () => {
  it('encodes PTS with markers and 33 bits (annotated example)', () => {
    const out = new Uint8Array(5);
    writeTimestampField(out, 0, 0b0010, 126_000);
    // 126000 = 3 * 2^15 + 0x6C30: 0010 000 1 | 000000000000011 1 | 110110000110000 1
    expect(hex(out)).toBe('210007d861');
    writeTimestampField(out, 0, 0b0011, 2 ** 33 - 1);
    expect(hex(out)).toBe('3fffffffff');
    expect(readTimestampField(out, 0)).toBe(2 ** 33 - 1);
    writeTimestampField(out, 0, 0b0001, 2 ** 33 + 5); // wraps
    expect(readTimestampField(out, 0)).toBe(5);
  });
});

function mux(frames: number, frameTicks: number, frameBytes: (i: number) => number, withAudio = false) {
  const m = new TsMuxer();
  m.beginSegment(withAudio);
  for (let i = 0; i < frames; i++) {
    const t = 126_000 + i * frameTicks;
    const nal = new Uint8Array(frameBytes(i)).fill(0x41);
    m.writeVideo([Uint8Array.of(0, 0, 0, 1), nal], t, t, i === 0);
    if (withAudio) m.writeAudio([new Uint8Array(100).fill(0xaa)], t);
  }
  return m.finishSegment();
}

describe('TsMuxer', () => {
  it('starts with PAT then PMT and keeps continuity counters per PID', () => {
    const packets = readPackets(mux(30, 3600, (i) => 100 + i * 97, true));
    expect(packets[0]!.pid).toBe(0);
    expect(packets[1]!.pid).toBe(0x1000);
    const last = new Map<number, number>();
    for (const p of packets) {
      if (!(p.control & 1)) continue; // adaptation-only packets do not advance the counter
      const prev = last.get(p.pid);
      if (prev !== undefined) expect(p.cc, `packet ${p.index} pid ${p.pid}`).toBe((prev + 1) & 15);
      last.set(p.pid, p.cc);
    }
    expect(last.get(0x100)).toBeDefined();
    expect(last.get(0x101)).toBeDefined();
  });

  it('writes PTS only when it equals DTS, PTS+DTS otherwise, and flags random access on the IDR', () => {
    const m = new TsMuxer();
    m.beginSegment(false);
    m.writeVideo([new Uint8Array(10)], 126_000, 126_000, true);
    m.writeVideo([new Uint8Array(10)], 133_200, 129_600, false);
    const packets = readPackets(m.finishSegment());
    const pes = pesStarts(packets);
    expect(pes.map((p) => [p.streamId, p.pts, p.dts])).toEqual([
      [0xe0, 126_000, undefined],
      [0xe0, 133_200, 129_600],
    ]);
    expect(packets[pes[0]!.packetIndex]!.adaptation!.randomAccess).toBe(true);
    expect(packets[pes[1]!.packetIndex]!.adaptation!.randomAccess).toBe(false);
    // PCR = DTS - 0.7 s on the first packet of each video PES.
    expect(packets[pes[0]!.packetIndex]!.adaptation!.pcrBase).toBe(126_000 - 63_000);
    expect(packets[pes[1]!.packetIndex]!.adaptation!.pcrBase).toBe(129_600 - 63_000);
  });

  it('keeps PCRs at most 100 ms apart even at 2 fps', () => {
    const packets = readPackets(mux(6, 45_000, () => 500));
    const pcrs = packets.filter((p) => p.pid === 0x100 && p.adaptation?.pcrBase !== undefined).map((p) => p.adaptation!.pcrBase!);
    expect(pcrs.length).toBeGreaterThan(25);
    for (let i = 1; i < pcrs.length; i++) {
      expect(pcrs[i]! - pcrs[i - 1]!).toBeGreaterThan(0);
      expect(pcrs[i]! - pcrs[i - 1]!).toBeLessThanOrEqual(9000);
    }
  });

  it('pads the last packet of a PES with adaptation-field stuffing so the payload ends exactly', () => {
    for (const size of [1, 150, 169, 170, 171, 183, 184, 185, 353, 354, 355, 1000]) {
      const m = new TsMuxer();
      m.beginSegment(false);
      const nal = new Uint8Array(size).map((_, i) => (i * 7 + 1) & 0xff);
      m.writeVideo([nal], 126_000, 126_000, false);
      const packets = readPackets(m.finishSegment()).filter((p) => p.pid === 0x100);
      const payload = Buffer.concat(packets.map((p) => p.payload));
      // 14-byte PES header (PTS only), then exactly the NAL bytes.
      expect(payload.byteLength, `size ${size}`).toBe(14 + size);
      expect(hex(payload.subarray(14))).toBe(hex(nal));
      const last = packets[packets.length - 1]!;
      if (packets.length > 1 || size < 184 - 14 - 8) {
        const used = last.payload.byteLength + 4 + (last.adaptation ? last.adaptation.length + 1 : 0);
        expect(used).toBe(188);
      }
      // a one-byte gap is filled with adaptation_field_length 0, more with 0xFF stuffing
      if (last.adaptation && last.adaptation.length === 0) expect(last.payload.byteLength).toBe(183);
    }
  });
});
