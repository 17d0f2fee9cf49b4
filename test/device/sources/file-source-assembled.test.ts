import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AnnexBSplitter } from '../../../media/bitstream/annexb-splitter.ts';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { FileSource } from '../../../device/sources/file-source.ts';
import type { MediaInput } from '../../../device/sources/media-input.ts';
import { makeCodedStream, type CodedStreamSpec } from '../../fixtures/coded-streams.ts';

const dir = mkdtempSync(join(tmpdir(), 'camrec-file-assembled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const t0 = 1_700_000_000_000;

/** How the file source hands a frame to the segmenter. */
type Path = 'assembled' | 'nals' | 'annexB';

/**
 * Plays a raw file through FileSource into a LiveSegmenter as fast as it reads (a clock
 * always past every frame's time: the frames keep their capture times t0 + n / fps), and
 * returns each segment's SHA-256 and metadata, the input errors and the stats.
 */
async function record(video: string, path: Path, maxFrameBytes?: number) {
  const segs: MediaSegment[] = [];
  const errors: string[] = [];
  const s = new LiveSegmenter({
    targetSegmentSeconds: 2,
    onSegment: (x) => segs.push(x),
    onInputError: (e) => errors.push(`${e.message} @${e.offset}`),
    maxFrameBytes,
  });
  let calls = 0;
  let assembledFrames = 0;
  const input: MediaInput = {
    putVideoFrame: (au, pts, dts) => s.putVideoFrame(au, pts, dts),
    ...(path === 'nals' ? { putVideoNals: (nals: readonly Uint8Array[], pts?: number, dts?: number) => s.putVideoNals(nals, pts, dts) } : {}),
    ...(path === 'assembled'
      ? {
          putVideoAssembled: (...a: Parameters<LiveSegmenter['putVideoAssembled']>) => {
            assembledFrames++;
            s.putVideoAssembled(...a);
          },
        }
      : {}),
    putAudioFrame: () => {},
    pushVideo: () => {},
    pushAudio: () => {},
    cutSegment: () => s.closeSegment(),
    // A refusal (raw H.264 B-frames) ends the source: its message, and where it stopped, are compared too.
    noteSourceError: (e) => void errors.push(`source: ${e.message}`),
  };
  const src = new FileSource(input, { videoPath: video, fps: 25, loop: false, now: () => (calls++ === 0 ? t0 : t0 + 1e9) });
  src.start();
  await src.finished;
  s.end();
  return {
    segs: segs.map(({ bytes, ...meta }) => ({ sha256: createHash('sha256').update(bytes).digest('hex'), ...meta })),
    errors,
    stats: s.stats(),
    assembledFrames,
  };
}

describe('FileSource -> LiveSegmenter.putVideoAssembled (the segmenter reads the source-assembled units, no second parse)', () => {
  const streams: Record<string, CodedStreamSpec> = {
    'h264 (IP)': { codec: 'h264', width: 320, height: 240, fps: '25', seconds: 5, gopFrames: 25, bFrames: 0 },
    // Raw H.264 B-frames carry no decode times: the segmenter refuses them the same way on either path.
    'h264 with B-frames': { codec: 'h264', width: 320, height: 240, fps: '25', seconds: 3, gopFrames: 25, bFrames: 2 },
    // Raw H.265 with B-frames and open GOPs: presentation order from the picture order count, RASL pictures after a cut.
    'h265 with B-frames (open GOP)': { codec: 'hevc', width: 320, height: 240, fps: '25', seconds: 5, gopFrames: 25, bFrames: 2, openGop: true },
  };
  for (const [name, spec] of Object.entries(streams)) {
    it(`${name}: segments byte-identical (SHA-256) to the segmenter assembling the units itself (putVideoNals, and putVideoFrame in Annex B)`, async () => {
      const { video } = makeCodedStream(dir, name.replace(/\W+/g, '-'), spec);
      const assembled = await record(video, 'assembled');
      const nals = await record(video, 'nals');
      const annexB = await record(video, 'annexB');
      if (spec.codec === 'hevc' || spec.bFrames === 0) {
        expect(assembled.segs.length).toBeGreaterThanOrEqual(2);
        expect(assembled.stats.frames).toBe(Number(spec.fps) * spec.seconds);
        expect(assembled.errors).toEqual([]);
      } else {
        expect(assembled.errors.join('\n')).toMatch(/has B-frames but no timestamps/);
      }
      // Every frame went the new way (so the comparison below is not of one path with itself).
      expect(assembled.assembledFrames).toBeGreaterThanOrEqual(assembled.stats.frames);
      expect(assembled.assembledFrames).toBeGreaterThan(0);
      expect({ ...assembled, assembledFrames: 0 }).toEqual(nals);
      expect({ ...assembled, assembledFrames: 0 }).toEqual(annexB);
    }, 120_000);
  }

  it("a frame over the segmenter's maxFrameBytes is dropped and reported as when the segmenter assembles it, and recording goes on", async () => {
    const { video } = makeCodedStream(dir, 'big-frames', streams['h264 (IP)']!);
    let largest = 0;
    const splitter = new AnnexBSplitter((e) => void (largest = Math.max(largest, e.nal.byteLength)));
    splitter.push(readFileSync(video));
    splitter.flush();
    // Only the frames with the biggest NAL units (the IDRs) pass the limit.
    const assembled = await record(video, 'assembled', largest - 1);
    const nals = await record(video, 'nals', largest - 1);
    expect(assembled.errors.join('\n')).toMatch(/over \d+ bytes/);
    expect(assembled.segs.length).toBeGreaterThan(0);
    expect(assembled.assembledFrames).toBeGreaterThan(0);
    expect({ ...assembled, assembledFrames: 0 }).toEqual(nals);
  }, 120_000);
});
