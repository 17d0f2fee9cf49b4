import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnnexBSplitter } from '../../../media/bitstream/annexb-splitter.ts';
import { MediaInputError } from '../../../media/media-error.ts';
import { LiveSegmenter, type SegmenterOptions } from '../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { VideoStage } from '../../../device/media/video/video-stage.ts';
import { makeCodedStream } from '../../fixtures/coded-streams.ts';
import { makeStream } from '../../fixtures/h264-streams.ts';

const dir = mkdtempSync(join(tmpdir(), 'camrec-put-nals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SC = Uint8Array.of(0, 0, 0, 1);
const t0 = 1_700_000_000_000;

/** The access units of an Annex-B file as NAL-unit lists, split as a source that parses the stream would. */
function accessUnits(file: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  const stage = new VideoStage({ maxFrameBytes: 4 << 20, onUnit: (u) => void (u.hasVcl && out.push([...u.nals])) });
  const splitter = new AnnexBSplitter((e) => stage.push(e));
  splitter.push(file);
  splitter.flush();
  stage.end();
  return out;
}
const annexB = (nals: Uint8Array[]) => Buffer.concat(nals.flatMap((n) => [SC, n]));

/** Segments (bytes and metadata) and input errors of one segmenter fed frame by frame. */
function record(aus: Uint8Array[][], feed: (s: LiveSegmenter, au: Uint8Array[], t: number) => void, options: Partial<SegmenterOptions> = {}) {
  const segs: MediaSegment[] = [];
  const errors: MediaInputError[] = [];
  const s = new LiveSegmenter({ targetSegmentSeconds: 2, onSegment: (x) => segs.push(x), onInputError: (e) => errors.push(e), ...options });
  aus.forEach((au, i) => feed(s, au, t0 + i * 40));
  s.end();
  return {
    segs: segs.map((x) => ({ ...x, bytes: Buffer.from(x.bytes).toString('hex') })),
    errors: errors.map((e) => [e.message, e.offset, e.droppedBytes]),
    stats: s.stats(),
  };
}

describe('LiveSegmenter.putVideoNals (access units already split into NAL units)', () => {
  const streams = {
    h264: () => makeStream(dir, 'nals-h264', { width: 320, height: 240, fps: '25', seconds: 4, gopFrames: 25, profile: 'main' }).video,
    // Raw H.265 with B-frames and open GOPs: presentation order from the picture order count, RASL pictures after a cut.
    h265: () =>
      makeCodedStream(dir, 'nals-h265', { codec: 'hevc', width: 320, height: 240, fps: '25', seconds: 4, gopFrames: 25, bFrames: 2, openGop: true }).video,
  };
  for (const codec of ['h264', 'h265'] as const) {
    it(`${codec}: the same segments, byte for byte, as putVideoFrame with the units in Annex B`, () => {
      const aus = accessUnits(readFileSync(streams[codec]()));
      expect(aus).toHaveLength(100);
      const byFrame = record(aus, (s, au, t) => s.putVideoFrame(annexB(au), t));
      const byNals = record(aus, (s, au, t) => s.putVideoNals(au, t));
      expect(byFrame.segs.length).toBeGreaterThanOrEqual(2);
      expect(byNals).toEqual(byFrame);
    });
  }

  it('a NAL unit over maxFrameBytes is dropped and reported as putVideoFrame does, and recording goes on at the next key frame', () => {
    const { video } = makeStream(dir, 'nals-big', { width: 320, height: 240, fps: '25', seconds: 4, gopFrames: 25, profile: 'main' });
    const aus = accessUnits(readFileSync(video));
    const largest = Math.max(...aus.flatMap((au) => au.map((n) => n.byteLength)));
    // Only the biggest NAL units (the IDRs) pass the limit.
    const options = { maxFrameBytes: largest - 1 };
    const byFrame = record(aus, (s, au, t) => s.putVideoFrame(annexB(au), t), options);
    const byNals = record(aus, (s, au, t) => s.putVideoNals(au, t), options);
    expect(byNals.errors.length).toBeGreaterThan(0);
    expect(String(byNals.errors[0]![0])).toMatch(/over \d+ bytes/);
    expect(byNals.segs.length).toBeGreaterThan(0);
    expect(byNals).toEqual(byFrame);
  });
});
