import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAdtsHeader } from '../../../media/aac/adts-header.ts';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import type { DemuxedPes } from '../../../media/ts/ts-demuxer.ts';
import { childTsUnits } from '../../fixtures/child-ts.ts';
import { requireFfmpeg } from '../../fixtures/h264-streams.ts';
import { ffmpegWarnings } from '../../fixtures/playlist-judges.ts';
import { pesStarts, readPackets } from '../../fixtures/ts-inspect.ts';

/**
 * PTS and DTS through the segmenter and TS muxer with B-frame reordering: an x264 stream
 * with 2 B-frames (decode order I P B B P B B ..., presentation order I B B P ...) given
 * frame by frame with its times comes out with the same times, in the same order.
 */
let dir: string;
let units: DemuxedPes[];
const EPOCH_MS = 1_800_000_000_000;

beforeAll(() => {
  requireFfmpeg();
  dir = mkdtempSync(join(tmpdir(), 'camrec-timed-b-'));
  const file = join(dir, 'in.ts');
  units = childTsUnits(file, { seconds: 4, bFrames: 2 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(): MediaSegment[] {
  const segs: MediaSegment[] = [];
  const s = new LiveSegmenter({ targetSegmentSeconds: 1, audio: true, onSegment: (x) => segs.push(x) });
  for (const u of units) {
    const ms = (t: number) => EPOCH_MS + t / 90;
    if (u.pid === 0x100) {
      s.putVideoFrame(u.data, ms(u.pts!), ms(u.dts ?? u.pts!));
    } else {
      let o = 0;
      let samples = 0;
      while (o < u.data.byteLength) {
        const h = parseAdtsHeader(u.data, o)!;
        s.putAudioFrame(u.data.subarray(o, o + h.frameBytes), ms(u.pts! + (samples * 90_000) / h.sampleRateHz));
        samples += h.samples;
        o += h.frameBytes;
      }
    }
  }
  s.end();
  return segs;
}

describe('timed input with B-frames', () => {
  it('every access unit keeps its PTS and DTS (one constant offset), in decode order; PES carry both', () => {
    const segs = run();
    const input = units.filter((u) => u.pid === 0x100).map((u) => ({ pts: u.pts!, dts: u.dts ?? u.pts! }));
    const output = segs.flatMap((s) =>
      pesStarts(readPackets(s.bytes))
        .filter((p) => p.pid === 0x100)
        .map((p) => ({ pts: p.pts!, dts: p.dts ?? p.pts! })),
    );
    expect(output).toHaveLength(input.length);
    const offset = output[0]!.dts - input[0]!.dts;
    expect(output).toEqual(input.map((t) => ({ pts: (t.pts + offset) % 2 ** 33, dts: (t.dts + offset) % 2 ** 33 })));
    expect(output.filter((t) => t.pts !== t.dts).length).toBeGreaterThan(input.length / 2);
  });

  it('segments start at IDRs and last one GOP in presentation time; video DTS and audio PTS rise across every join', () => {
    const segs = run();
    expect(segs.map((s) => s.durationMs)).toEqual([1000, 1000, 1000, 1000]);
    for (let i = 1; i < segs.length; i++) expect(segs[i]!.startMs).toBe(segs[i - 1]!.startMs + segs[i - 1]!.durationMs);
    let lastVideoDts = -1;
    let lastAudioPts = -1;
    for (const s of segs) {
      for (const p of pesStarts(readPackets(s.bytes))) {
        if (p.pid === 0x100) {
          expect(p.dts ?? p.pts!).toBeGreaterThan(lastVideoDts);
          lastVideoDts = p.dts ?? p.pts!;
        } else {
          expect(p.pts!).toBeGreaterThan(lastAudioPts);
          lastAudioPts = p.pts!;
        }
      }
    }
  });

  it('ffmpeg decodes the segments back to back with no warning and every frame', () => {
    const segs = run();
    const file = join(dir, 'out.ts');
    writeFileSync(file, Buffer.concat(segs.map((s) => s.bytes)));
    expect(ffmpegWarnings(file).trim()).toBe('');
    expect(segs.reduce((n, s) => n + s.videoFrames, 0)).toBe(100);
  });
});
