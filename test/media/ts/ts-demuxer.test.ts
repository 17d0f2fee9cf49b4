import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPmt } from '../../../media/ts/psi-reader.ts';
import { pmtSection } from '../../../media/ts/psi-tables.ts';
import { TsDemuxer, type DemuxedPes } from '../../../media/ts/ts-demuxer.ts';
import { writeChildTs } from '../../fixtures/child-ts.ts';
import { FFPROBE, requireFfmpeg } from '../../fixtures/h264-streams.ts';

interface ProbePacket {
  stream: 'video' | 'audio';
  pts: number;
  dts: number;
  size: number;
}

let dir: string;
let ts: Uint8Array;
let probed: ProbePacket[];

/** ffprobe's view of the same file: the independent judge. */
function probe(file: string): ProbePacket[] {
  const out = execFileSync(FFPROBE, ['-v', 'error', '-show_entries', 'packet=codec_type,pts,dts,size', '-of', 'csv=p=0', file]).toString();
  return out
    .trim()
    .split('\n')
    .map((l) => {
      const [type, pts, dts, size] = l.split(',');
      return { stream: type as 'video' | 'audio', pts: Number(pts), dts: Number(dts), size: Number(size) };
    });
}

function demux(chunks: Uint8Array[]): { pes: DemuxedPes[]; errors: string[]; programs: number } {
  const pes: DemuxedPes[] = [];
  const errors: string[] = [];
  let programs = 0;
  const d = new TsDemuxer({ onProgram: () => programs++, onPes: (p) => pes.push(p), onError: (m) => errors.push(m) });
  for (const c of chunks) d.push(c);
  d.flush();
  return { pes, errors, programs };
}

const summary = (pes: DemuxedPes[]) =>
  pes.map((p) => ({ stream: p.pid === 0x100 ? 'video' : 'audio', pts: p.pts, dts: p.dts ?? p.pts, size: p.data.byteLength }));

beforeAll(() => {
  requireFfmpeg();
  dir = mkdtempSync(join(tmpdir(), 'camrec-tsdemux-'));
  const file = join(dir, 'bframes.ts');
  // H.264 with B-frames (x264 -bf 2) and AAC, as ffmpeg writes it to the agent's pipe.
  writeChildTs(file, { seconds: 2, bFrames: 2 });
  ts = readFileSync(file);
  probed = probe(file);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TsDemuxer', () => {
  it('gives every PES with the PTS, DTS and size ffprobe reads (B-frames: DTS before PTS)', () => {
    const r = demux([ts]);
    expect(r.errors).toEqual([]);
    expect(r.programs).toBe(1);
    const got = summary(r.pes);
    for (const kind of ['video', 'audio'] as const) {
      expect(got.filter((p) => p.stream === kind)).toEqual(probed.filter((p) => p.stream === kind));
    }
    // reordering is really there
    expect(got.some((p) => p.stream === 'video' && p.pts !== p.dts)).toBe(true);
  });

  it('gives the same units whatever the chunking (split at every offset of the first packets, and in odd sizes)', () => {
    const whole = summary(demux([ts]).pes);
    for (let cut = 1; cut < 3 * 188; cut += 7) expect(summary(demux([ts.subarray(0, cut), ts.subarray(cut)]).pes)).toEqual(whole);
    for (const size of [1, 187, 189, 1000, 4093]) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < ts.byteLength; at += size) chunks.push(ts.subarray(at, at + size));
      expect(summary(demux(chunks).pes)).toEqual(whole);
    }
  });

  it('resyncs after garbage and drops only the units it broke, counting each problem', () => {
    const at = 188 * 40 + 17;
    const damaged = Uint8Array.from([...ts.subarray(0, at), ...new Uint8Array(300).fill(0x47 ^ 0xff), ...ts.subarray(at)]);
    const r = demux([damaged]);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors.join('\n')).toMatch(/lost MPEG-TS sync|continuity/);
    const whole = demux([ts]).pes.length;
    expect(r.pes.length).toBeGreaterThanOrEqual(whole - 3);
    expect(r.pes.length).toBeLessThanOrEqual(whole);
  });

  it('reads stream types and registration descriptors from a PMT (camrec writes H.264 0x1B + AAC 0x0F)', () => {
    expect(readPmt(pmtSection(true))).toEqual({
      programNumber: 1,
      version: 1,
      pcrPid: 0x100,
      streams: [
        { streamType: 0x1b, pid: 0x100 },
        { streamType: 0x0f, pid: 0x101 },
      ],
    });
  });
});
