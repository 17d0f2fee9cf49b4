import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mp4ClipWriter } from '../../../media/clip/mp4-clip-writer.ts';
import { readTsSegment } from '../../../media/clip/ts-segment-reader.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { probeClip } from '../../fixtures/clip-judges.ts';
import { makeMediaSegments } from '../../lambda/support/fixture-media.ts';

const FRAME_S = 0.1;
const GAP_MS = 3000;

/** Two runs of real camrec TS segments (the device's segmenter): the camera restarts 3 s after the first run ends. */
async function twoRuns(audio: boolean): Promise<{ a: MediaSegment[]; b: MediaSegment[] }> {
  const t0 = Date.UTC(2026, 11, 1, 10, 0, 0);
  const a = await makeMediaSegments({ seconds: 4, epochMs: t0, audio });
  const aEnd = a[a.length - 1]!.startMs + a[a.length - 1]!.durationMs;
  const b = await makeMediaSegments({ seconds: 3, epochMs: aEnd + GAP_MS, audio });
  return { a, b };
}

async function writeClip(file: string, a: MediaSegment[], b: MediaSegment[]): Promise<{ chunks: number; writer: Mp4ClipWriter }> {
  const all = [...a.map((s) => ({ s, disc: 1 })), ...b.map((s) => ({ s, disc: 2 }))];
  const startMs = all[0]!.s.startMs;
  const last = all[all.length - 1]!.s;
  const writer = new Mp4ClipWriter({ startMs, durationMs: last.startMs + last.durationMs - startMs });
  const parts: Uint8Array[] = [];
  for (const { s, disc } of all) parts.push(...writer.push(readTsSegment(s.bytes), { startMs: s.startMs, discSeq: disc }));
  parts.push(...writer.finish());
  await writeFile(file, Buffer.concat(parts));
  return { chunks: parts.length, writer };
}

describe.each([true, false])('MP4 clip of TS segments with a restart inside (audio: %s)', (audio) => {
  let dir: string;
  let runs: { a: MediaSegment[]; b: MediaSegment[] };
  let probe: Awaited<ReturnType<typeof probeClip>>;
  let writer: Mp4ClipWriter;
  let chunks: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'camrec-clip-'));
    runs = await twoRuns(audio);
    const file = join(dir, 'clip.mp4');
    ({ chunks, writer } = await writeClip(file, runs.a, runs.b));
    probe = await probeClip(file);
  }, 120_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('has moov before mdat (ftyp, moov, then a moof + mdat per segment)', () => {
    const segments = runs.a.length + runs.b.length;
    expect(probe.topBoxes.slice(0, 2)).toEqual(['ftyp', 'moov']);
    expect(probe.topBoxes.slice(2)).toEqual(Array.from({ length: segments }, () => ['moof', 'mdat']).flat());
    expect(chunks).toBe(1 + segments);
  });

  it(`ffprobe sees one video${audio ? ' and one audio' : ''} stream and ffmpeg decodes it without a word`, () => {
    expect(probe.streams).toEqual(audio ? ['video', 'audio'] : ['video']);
    expect(probe.decodeWarnings).toBe('');
  });

  it('lasts the recorded wall-clock span, gap included, within a frame per segment', () => {
    const first = runs.a[0]!;
    const last = runs.b[runs.b.length - 1]!;
    const expected = (last.startMs + last.durationMs - first.startMs) / 1000;
    expect(Math.abs(probe.durationSeconds - expected)).toBeLessThanOrEqual((runs.a.length + runs.b.length) * FRAME_S);
  });

  it('keeps every frame, and the gap is a gap in time: the restart shows where it was recorded', () => {
    const frames = [...runs.a, ...runs.b].reduce((n, s) => n + s.videoFrames, 0);
    expect(probe.videoFrameTimes).toHaveLength(frames);
    const firstOfB = runs.a.reduce((n, s) => n + s.videoFrames, 0);
    const t0 = probe.videoFrameTimes[0]!;
    expect(probe.videoFrameTimes[firstOfB]! - t0).toBeCloseTo((runs.b[0]!.startMs - runs.a[0]!.startMs) / 1000, 2);
    expect(probe.videoFrameTimes[firstOfB]! - probe.videoFrameTimes[firstOfB - 1]!).toBeGreaterThan(GAP_MS / 1000);
    // Inside a run the frames keep their spacing.
    expect(probe.videoFrameTimes[5]! - probe.videoFrameTimes[4]!).toBeCloseTo(FRAME_S, 3);
    expect(writer.stats().discontinuities).toBe(1);
  });
});
