import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipFile, clipObjectKey } from '../../../contract/index.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { probeClip } from '../../fixtures/clip-judges.ts';
import { makeMediaSegments } from '../support/fixture-media.ts';
import { ClipHarness } from './clip-harness.ts';

const HOUR_MS = 3_600_000;
const CAMERA = 'cam-clip-resize';
const iso = (ms: number): string => new Date(ms).toISOString();
const endOf = (m: MediaSegment[]): number => m[m.length - 1]!.startMs + m[m.length - 1]!.durationMs;

/**
 * A camera changes resolution (a restart with new encoder settings) inside the range a
 * clip asks for. The MP4 is written moov first as it streams, so it holds one video
 * configuration: the clip is refused with the time of the change and the two clips to ask
 * for, and those two are made.
 */
describe('a clip across a change of the video settings (s3rver + dynalite + indexer + ffprobe)', () => {
  let c: ClipHarness;
  let dir: string;
  let small: MediaSegment[];
  let large: MediaSegment[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'camrec-clip-resize-'));
    c = await ClipHarness.start();
    const key = await c.putDataKey(CAMERA);
    const t0 = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS + 600_000;
    small = await makeMediaSegments({ seconds: 3, epochMs: t0, size: '128x96' });
    large = await makeMediaSegments({ seconds: 3, epochMs: endOf(small) + 1000, size: '160x120' });
    await c.record(CAMERA, small, { seq: 10, discSeq: 1, ...key });
    await c.record(CAMERA, large, { seq: 20, discSeq: 2, ...key });
  }, 180_000);
  afterAll(async () => {
    await c?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is refused with video_settings_changed, naming the change and the two clips to ask for; nothing is kept of it', async () => {
    const start = small[0]!.startMs;
    const end = endOf(large);
    const answer = await c.clip(CAMERA, start, end);
    expect(answer.state).toBe('FAILED');
    expect(answer.error.code).toBe('video_settings_changed');
    expect(answer.error.message).toContain(`change at ${iso(large[0]!.startMs)} (H.264 128x96 before, H.264 160x120 from there)`);
    expect(answer.error.message).toContain(`Ask for two clips: ${iso(start)} to ${iso(endOf(small))}, and ${iso(large[0]!.startMs)} to ${iso(end)}`);
    expect(answer.downloadUrl).toBeUndefined();
    expect(await c.object(clipObjectKey(CAMERA, answer.clipId, ClipFile.MP4))).toBeUndefined();
  });

  it('the two clips it names are made, each at its own size, and decode cleanly', async () => {
    const sizes: string[] = [];
    for (const [from, to] of [
      [small[0]!.startMs, endOf(small)],
      [large[0]!.startMs, endOf(large)],
    ] as const) {
      const answer = await c.clip(CAMERA, from, to);
      expect(answer.state, JSON.stringify(answer.error)).toBe('READY');
      const file = join(dir, `${from}.mp4`);
      await writeFile(file, Buffer.from(await (await fetch(answer.downloadUrl)).arrayBuffer()));
      const probe = await probeClip(file);
      expect(probe.decodeWarnings).toBe('');
      sizes.push(probe.videoSize);
    }
    expect(sizes).toEqual(['128x96', '160x120']);
  });
});
