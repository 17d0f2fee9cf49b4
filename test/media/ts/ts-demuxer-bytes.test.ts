import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patSection, pmtSection } from '../../../media/ts/psi-tables.ts';
import { writeTimestampField } from '../../../media/ts/timestamp-fields.ts';
import { TimestampPrefix } from '../../../media/ts/ts-constants.ts';
import { TsDemuxer, type DemuxedPes } from '../../../media/ts/ts-demuxer.ts';
import { writeChildTs } from '../../fixtures/child-ts.ts';
import { FFMPEG, requireFfmpeg } from '../../fixtures/h264-streams.ts';

/**
 * The demuxer's bytes, unit by unit: judged against ffmpeg's own MPEG-TS demuxer, and kept
 * whatever the chunking, the packet layout (adaptation fields of every length,
 * adaptation-only packets, interleaving, units of hundreds of packets) and the damage (lost
 * and repeated packets, a unit past maxPesBytes).
 */
let dir: string;
let ts: Uint8Array;
let units: DemuxedPes[];

function demux(chunks: Iterable<Uint8Array>, maxPesBytes?: number): { pes: DemuxedPes[]; errors: string[] } {
  const pes: DemuxedPes[] = [];
  const errors: string[] = [];
  const d = new TsDemuxer({ onProgram: () => {}, onPes: (p) => pes.push(p), onError: (m) => errors.push(m) }, maxPesBytes);
  for (const c of chunks) d.push(c);
  d.flush();
  return { pes, errors };
}

/** What a user of the units sees: stream, times, flags and every byte. */
const view = (pes: DemuxedPes[]) => pes.map((p) => ({ pid: p.pid, streamId: p.streamId, pts: p.pts, dts: p.dts, data: Buffer.from(p.data).toString('hex') }));

/** A small seeded generator (mulberry32): the same "random" layouts on every run. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

/** The PES packet (2.4.3.6) for a unit: video unbounded (length 0), audio with its length; PTS [+ DTS]. */
function pesBytes(u: Pick<DemuxedPes, 'streamId' | 'pts' | 'dts' | 'data'>): Uint8Array {
  const withDts = u.dts !== undefined;
  const hdr = withDts ? 10 : 5;
  const out = new Uint8Array(9 + hdr + u.data.byteLength);
  const length = u.streamId === 0xe0 ? 0 : 3 + hdr + u.data.byteLength;
  out.set([0, 0, 1, u.streamId, length >> 8, length & 0xff, 0x84, withDts ? 0xc0 : 0x80, hdr]);
  writeTimestampField(out, 9, withDts ? TimestampPrefix.PTS_WITH_DTS : TimestampPrefix.PTS_ONLY, u.pts!);
  if (withDts) writeTimestampField(out, 14, TimestampPrefix.DTS, u.dts!);
  out.set(u.data, 9 + hdr);
  return out;
}

/**
 * TS packets for one PES on `pid` in an unusual but valid layout: adaptation fields of random
 * length (stuffing, sometimes a PCR) cut the payload anywhere, adaptation-only packets (no
 * payload, no counter step) come in between; the last packet is padded with stuffing.
 */
function packetize(pes: Uint8Array, pid: number, cc: { next: number }, rnd: (n: number) => number): Uint8Array[] {
  const packets: Uint8Array[] = [];
  const header = (p: Uint8Array, start: boolean, control: number, counter: number) =>
    p.set([0x47, (start ? 0x40 : 0) | (pid >> 8), pid & 0xff, (control << 4) | counter]);
  for (let at = 0; at < pes.byteLength;) {
    if (at > 0 && rnd(20) === 0) {
      const p = new Uint8Array(188).fill(0xff); // adaptation field only: 183 bytes of it
      header(p, false, 0b10, cc.next & 0x0f);
      p.set([183, 0x00], 4);
      packets.push(p);
    }
    const room = rnd(3) === 0 ? 1 + rnd(183) : 184;
    const n = Math.min(room, pes.byteLength - at);
    const p = new Uint8Array(188).fill(0xff);
    const afBytes = 184 - n;
    header(p, at === 0, afBytes ? 0b11 : 0b01, cc.next++ & 0x0f);
    if (afBytes) {
      p[4] = afBytes - 1;
      if (afBytes >= 2) p[5] = (at === 0 ? 0x40 : 0) | (afBytes >= 8 ? 0x10 : 0); // random_access on a unit start, PCR when it fits
      if (afBytes >= 8) p.set([0, 0, 0, 0, 0x7e, 0], 6);
    }
    p.set(pes.subarray(at, at + n), 4 + afBytes);
    packets.push(p);
    at += n;
  }
  return packets;
}

/** PAT and PMT (camrec's tables: H.264 on 0x100, AAC on 0x101) as two packets. */
function psiPackets(): Uint8Array[] {
  return [
    [0x0000, patSection()],
    [0x1000, pmtSection(true)],
  ].map(([pid, section]) => {
    const p = new Uint8Array(188).fill(0xff);
    p.set([0x47, 0x40 | ((pid as number) >> 8), (pid as number) & 0xff, 0x10, 0x00]);
    p.set(section as Uint8Array, 5);
    return p;
  });
}

const concat = (parts: Uint8Array[]) => Buffer.concat(parts);
const split = (data: Uint8Array, sizes: (n: number) => number) => {
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.byteLength;) {
    const n = Math.max(1, sizes(5000));
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
};

beforeAll(() => {
  requireFfmpeg();
  dir = mkdtempSync(join(tmpdir(), 'camrec-tsbytes-'));
  const file = join(dir, 'child.ts');
  writeChildTs(file, { seconds: 3, bFrames: 2 });
  ts = readFileSync(file);
  units = demux([ts]).pes;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TsDemuxer bytes', () => {
  it("hands on exactly the elementary-stream bytes ffmpeg's own demuxer reads (H.264 with B-frames, AAC)", () => {
    for (const [map, pid] of [
      ['0:v', 0x100],
      ['0:a', 0x101],
    ] as const) {
      const ffmpeg = execFileSync(FFMPEG, ['-v', 'error', '-i', join(dir, 'child.ts'), '-map', map, '-c', 'copy', '-f', 'data', 'pipe:1'], {
        maxBuffer: 64 * 1024 * 1024,
      });
      const ours = concat(units.filter((u) => u.pid === pid).map((u) => u.data));
      expect(ours.byteLength).toBeGreaterThan(1000);
      expect(ours.equals(ffmpeg)).toBe(true);
    }
  });

  it('gives byte-identical units in any chunking (random sizes from 1 byte to 5,000)', () => {
    const whole = view(units);
    for (const seed of [1, 2, 3, 4]) expect(view(demux(split(ts, random(seed))).pes)).toEqual(whole);
  });

  it('reads units laid out with adaptation fields of every length, adaptation-only packets and interleaved PIDs, across growing buffers', () => {
    const rnd = random(7);
    const big: DemuxedPes = {
      pid: 0x100,
      streamType: 0x1b,
      randomAccess: false,
      streamId: 0xe0,
      pts: 900_000,
      dts: 896_400,
      data: Uint8Array.from({ length: 700_000 }, (_, i) => (i * 31) & 0xff),
    };
    const all = [...units.slice(0, 40), big, ...units.slice(40)];
    const queues = new Map<number, Uint8Array[]>();
    const cc = new Map<number, { next: number }>();
    for (const u of all) {
      if (!cc.has(u.pid)) cc.set(u.pid, { next: rnd(16) });
      queues.set(u.pid, [...(queues.get(u.pid) ?? []), ...packetize(pesBytes(u), u.pid, cc.get(u.pid)!, rnd)]);
    }
    // Interleave the PIDs' packets at random, each PID's in order.
    const packets = psiPackets();
    const pids = [...queues.keys()];
    while (pids.some((p) => queues.get(p)!.length)) {
      const q = queues.get(pids[rnd(pids.length)]!)!;
      const n = Math.min(q.length, 1 + rnd(30));
      packets.push(...q.splice(0, n));
    }
    const r = demux(split(concat(packets), random(8)));
    expect(r.errors).toEqual([]);
    const byPid = (list: ReturnType<typeof view>, pid: number) => list.filter((u) => u.pid === pid);
    for (const pid of [0x100, 0x101]) expect(byPid(view(r.pes), pid)).toEqual(byPid(view(all), pid));
  });

  it('drops only the unit a lost packet breaks, ignores a repeated packet, and drops a unit past maxPesBytes', () => {
    const packets = split(ts, () => 188);
    const pidOf = (p: Uint8Array) => ((p[1]! & 0x1f) << 8) | p[2]!;
    // The 3rd packet of the second key frame (a unit of many packets).
    const video = units.filter((u) => u.pid === 0x100);
    const k = video.findIndex((u, i) => i > 0 && u.randomAccess);
    const starts = packets.flatMap((p, i) => (p[1]! & 0x40 && pidOf(p) === 0x100 ? [i] : []));
    const lost = packets.flatMap((p, i) => (i > starts[k]! && pidOf(p) === 0x100 ? [i] : []))[1]!;
    expect(video[k]!.data.byteLength).toBeGreaterThan(3 * 184);
    const r = demux([concat(packets.filter((_, i) => i !== lost))]);
    expect(r.errors.join('\n')).toMatch(/continuity counter jump on PID 256/);
    expect(view(r.pes.filter((u) => u.pid === 0x100))).toEqual(view(video.filter((_, i) => i !== k)));

    const repeated = demux([concat([...packets.slice(0, lost + 1), packets[lost]!, ...packets.slice(lost + 1)])]);
    expect(repeated.errors).toEqual([]);
    expect(view(repeated.pes)).toEqual(view(units));

    const cap = Math.max(...video.map((u) => u.data.byteLength)) - 1;
    const capped = demux([ts], cap);
    expect(capped.errors.join('\n')).toMatch(new RegExp(`grew past ${cap} bytes: dropped`));
    expect(view(capped.pes)).toEqual(view(units.filter((u) => (u.dts === undefined ? 14 : 19) + u.data.byteLength <= cap)));
  });
});
