import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { segmentFiles } from '../../../../device/media/file/segment-files.ts';
import { LiveSegmenter } from '../../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../../device/media/media-segment.ts';
import { FFMPEG, requireFfmpeg } from '../../../fixtures/h264-streams.ts';

const SAMPLES = resolve(import.meta.dirname, '../../../../samples');
const dir = mkdtempSync(join(tmpdir(), 'camrec-segment-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** NAL units of an Annex-B stream (annotated: 00 00 01 or 00 00 00 01, then the unit). */
function nalUnits(stream: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let p = stream.indexOf(Buffer.of(0, 0, 1)); p >= 0; p = stream.indexOf(Buffer.of(0, 0, 1), p + 3)) starts.push(p + 3);
  return starts.map((s, i) => {
    let end = i + 1 < starts.length ? starts[i + 1]! - 3 : stream.byteLength;
    while (end > s && stream[end - 1] === 0) end--;
    return stream.subarray(s, end);
  });
}
const NAL_SPS = 7;
const NAL_PPS = 8;

// The 1 MB sample five times over: more read chunks than the read-buffer pool holds, so
// read buffers are reused many times. SPS and PPS only at the very start (as some cameras
// send them), so the segmenter's cached copies must outlive the chunk they came in.
const sample = readFileSync(join(SAMPLES, 'sample.h264'));
const units = nalUnits(sample);
const seen = new Set<number>();
const video = Buffer.concat(
  Array.from({ length: 5 }, () => units)
    .flat()
    .filter((n) => {
      const type = n[0]! & 0x1f;
      if (type !== NAL_SPS && type !== NAL_PPS) return true;
      const first = !seen.has(type);
      seen.add(type);
      return first;
    })
    .flatMap((n) => [Buffer.of(0, 0, 0, 1), n]),
);
const audio = readFileSync(join(SAMPLES, 'sample.aac'));
const videoPath = join(dir, 'v.h264');
const audioPath = join(dir, 'a.aac');
writeFileSync(videoPath, video);
writeFileSync(audioPath, Buffer.concat(Array.from({ length: 5 }, () => audio)));
const EPOCH_MS = 1_700_000_000_000;

const hexes = (segs: Uint8Array[]): string[] => segs.map((b) => Buffer.from(b).toString('hex'));

/** The whole input pushed as one chunk: nothing is ever reused. */
function reference(withAudio: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seg = new LiveSegmenter({
    audio: withAudio,
    videoTiming: { kind: 'frame-rate', epochMs: EPOCH_MS },
    onSegment: (s) => out.push(s.bytes),
  });
  seg.pushVideo(readFileSync(videoPath));
  if (withAudio) {
    seg.pushAudio(readFileSync(audioPath));
    seg.endAudio();
  }
  seg.end();
  return out;
}

async function viaFiles(withAudio: boolean, recycleSegments: boolean): Promise<{ segs: Uint8Array[]; meta: MediaSegment[] }> {
  const segs: Uint8Array[] = [];
  const meta: MediaSegment[] = [];
  await segmentFiles({
    videoPath,
    audioPath: withAudio ? audioPath : undefined,
    epochMs: EPOCH_MS,
    recycleSegments,
    onSegment: async (s) => {
      segs.push(Uint8Array.prototype.slice.call(s.bytes));
      meta.push(s);
      await new Promise((r) => setTimeout(r, 1)); // a receiver that takes a while (a write)
      if (recycleSegments) s.bytes.fill(0x55); // and scribbles on the bytes (encrypts in place) before they are reused
    },
  });
  return { segs, meta };
}

describe('segmentFiles', () => {
  it('gives the same segments as one whole-file push, with read buffers and segment buffers reused (video)', async () => {
    const ref = reference(false);
    expect(ref.length).toBeGreaterThan(10);
    const { segs, meta } = await viaFiles(false, true);
    expect(hexes(segs)).toEqual(hexes(ref));
    expect(meta.filter((m) => m.discontinuity)).toHaveLength(1);
    expect(meta.every((m) => m.codecs.startsWith('avc1.'))).toBe(true);
  });

  it('gives the same segments as one whole-file push with audio, recycled or not', async () => {
    const ref = reference(true);
    const recycled = await viaFiles(true, true);
    const kept = await viaFiles(true, false);
    expect(hexes(recycled.segs)).toEqual(hexes(ref));
    expect(hexes(kept.segs)).toEqual(hexes(ref));
    expect(recycled.meta.every((m) => m.hasAudio)).toBe(true);
    // Without recycling the receiver keeps every segment intact.
    expect(hexes(kept.meta.map((m) => m.bytes))).toEqual(hexes(ref));
  });

  it("with a stream, hands each MPEG-TS segment out in parts as it is muxed: the same bytes, each segment's parts before its onSegment", async () => {
    const ref = reference(true);
    const events: string[] = [];
    const streamed: Uint8Array[] = [];
    let open: Uint8Array[] = [];
    await segmentFiles({
      videoPath,
      audioPath,
      epochMs: EPOCH_MS,
      streamSegments: {
        partBytes: 16 * 1024,
        onPart: (bytes, last) => {
          open.push(Uint8Array.prototype.slice.call(bytes));
          events.push(last ? 'last' : 'part');
          if (last) {
            streamed.push(Buffer.concat(open));
            open = [];
          }
        },
        onDiscard: () => events.push('discard'),
      },
      onSegment: (s) => {
        expect(s.bytes.byteLength).toBe(0);
        expect(s.streamedBytes).toBe(streamed.at(-1)!.byteLength);
        events.push('segment');
      },
    });
    expect(hexes(streamed)).toEqual(hexes(ref));
    // Every segment went out in several 16 KB parts, and its onSegment came after its last part.
    expect(events.filter((e) => e === 'part').length).toBeGreaterThan(ref.length * 5);
    let lasts = 0;
    let segments = 0;
    for (const e of events) {
      if (e === 'last') lasts++;
      if (e === 'segment') expect(++segments).toBeLessThanOrEqual(lasts);
    }
    expect([lasts, segments]).toEqual([ref.length, ref.length]);
  });
});

describe('segmentFiles streaming, edge cases', () => {
  /** Parts per segment, and how many segments, streamed from `videoPath` with `audio`. */
  async function partsPerSegment(audio: string | undefined, onSegment?: () => Promise<void>): Promise<number[]> {
    const counts: number[] = [];
    let open = 0;
    await segmentFiles({
      videoPath,
      audioPath: audio,
      epochMs: EPOCH_MS,
      streamSegments: {
        partBytes: 16 * 1024,
        onPart: (_, last) => {
          open++;
          if (last) {
            counts.push(open);
            open = 0;
          }
        },
        onDiscard: () => {},
      },
      onSegment: async () => onSegment?.(),
    });
    return counts;
  }

  it('an audio file with no frame in it: segments do not wait for audio that cannot come, they stream in parts', async () => {
    const empty = join(dir, 'empty.aac');
    writeFileSync(empty, Buffer.alloc(0));
    const counts = await partsPerSegment(empty);
    expect(counts.length).toBeGreaterThan(10);
    // Waiting for audio, each segment would be held whole: one part each.
    expect(Math.min(...counts.slice(0, -1))).toBeGreaterThan(5);
  });

  it('a failing stream fails the run only once the receivers already running are done', async () => {
    let started = 0;
    let done = 0;
    let bytes = 0;
    const run = segmentFiles({
      videoPath,
      epochMs: EPOCH_MS,
      streamSegments: {
        partBytes: 16 * 1024,
        onPart: (b) => {
          bytes += b.byteLength;
          if (bytes > 3_000_000) throw new Error('disk gone'); // a later read chunk than the first segments' ends
        },
        onDiscard: () => {},
      },
      onSegment: async () => {
        started++;
        await new Promise((r) => setTimeout(r, 100)); // a rename that takes a while
        done++;
      },
    });
    await expect(run).rejects.toThrow('disk gone');
    expect(started).toBeGreaterThan(0);
    expect(done).toBe(started); // none still running after the run said it failed
  });
});

describe('segmentFiles with recycleSegments on a high-bitrate file', () => {
  /** 4 s of lossless 480x270 noise, a key frame every second: ~5 MB segments, more than the muxer's bridge. */
  function noiseFile(): string {
    requireFfmpeg();
    const file = join(dir, 'big.h264');
    if (existsSync(file)) return file;
    const noise = ['-f', 'lavfi', '-t', '4', '-i', 'testsrc2=size=480x270:rate=25', '-vf', 'noise=alls=30:allf=t', '-pix_fmt', 'yuv420p'];
    const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-bf', '0', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0'];
    execFileSync(FFMPEG, ['-v', 'error', '-y', ...noise, ...x264, '-f', 'h264', file]);
    return file;
  }
  const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

  /** Segments with the receiver holding each for a 30 ms "write": their digests and the buffers they came in. */
  async function recycledRun(file: string, overlapReceiver: boolean): Promise<{ digests: string[]; buffers: Set<ArrayBufferLike> }> {
    const digests: string[] = [];
    const buffers = new Set<ArrayBufferLike>();
    await segmentFiles({
      videoPath: file,
      segmentSeconds: 1,
      epochMs: EPOCH_MS,
      recycleSegments: true,
      overlapReceiver,
      onSegment: async (s) => {
        buffers.add(s.bytes.buffer);
        const before = digest(s.bytes);
        await new Promise((r) => setTimeout(r, 30)); // a write that takes a while
        expect(digest(s.bytes)).toBe(before); // nothing wrote into it meanwhile
        digests.push(before);
        s.bytes.fill(0x55); // encrypted in place before it goes back
      },
    });
    return { digests, buffers };
  }

  it('waits for the receiver (a slow write) before reading on, so every segment is written in the same buffer, unchanged', async () => {
    const file = noiseFile();
    const kept: string[] = [];
    await segmentFiles({ videoPath: file, segmentSeconds: 1, epochMs: EPOCH_MS, onSegment: (s) => void kept.push(digest(s.bytes)) });
    const { digests, buffers } = await recycledRun(file, false);
    expect(kept.length).toBeGreaterThanOrEqual(4);
    expect(digests).toEqual(kept);
    expect(buffers.size).toBe(1); // without the wait: two segment buffers in turns
  }, 60_000);

  it('with overlapReceiver, muxes the next segment while the receiver holds this one: two buffers in turns, neither written while held', async () => {
    const file = noiseFile();
    const kept: string[] = [];
    await segmentFiles({ videoPath: file, segmentSeconds: 1, epochMs: EPOCH_MS, onSegment: (s) => void kept.push(digest(s.bytes)) });
    const { digests, buffers } = await recycledRun(file, true);
    expect(digests).toEqual(kept);
    expect(buffers.size).toBe(2);
  }, 60_000);
});
