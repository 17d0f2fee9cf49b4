import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipManifestSchema, NotificationType, type ClipManifest } from '../../../contract/index.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { playInVideoElement, type VideoElementResult } from '../../fixtures/chromium-video.ts';
import { probeClip, type ClipProbe } from '../../fixtures/clip-judges.ts';
import { ClipHarness, type Recorded } from './clip-harness.ts';

const HOUR_MS = 3_600_000;
const FRAME_S = 0.1;
const FRAME_MS = 100;
const TRIM_END_MS = 300;

/** Pictures of the recording shown in [fromMs, toMs) (10 fps, each segment's first at its start). */
const framesIn = (media: readonly MediaSegment[], fromMs: number, toMs: number): number =>
  media.reduce((n, m) => n + Array.from({ length: m.videoFrames }, (_, i) => m.startMs + i * FRAME_MS).filter((t) => t >= fromMs && t < toMs).length, 0);

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('base64');

describe('clip export over hot and packed history (s3rver + dynalite + indexer + packer + ffprobe + Chromium)', () => {
  let c: ClipHarness;
  let dir: string;
  let withAudio: Recorded;
  let noAudio: Recorded;
  let hourMs: number;
  const made: Record<string, { answer: any; manifest: ClipManifest; file: string; probe: ClipProbe; bytes: Buffer }> = {};

  async function makeClip(name: string, r: Recorded, startOffsetMs = 300, endTrimMs = TRIM_END_MS): Promise<void> {
    // A range that starts and ends inside segments: the clip starts at the keyframe at or before the start and ends at the end.
    const answer = await c.clip(r.camera, r.startMs + startOffsetMs, r.endMs - endTrimMs);
    expect(answer.state, JSON.stringify(answer.error)).toBe('READY');
    const res = await fetch(answer.downloadUrl);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const file = join(dir, `${name}.mp4`);
    await writeFile(file, bytes);
    made[name] = { answer, manifest: ClipManifestSchema.parse(answer.manifest), file, probe: await probeClip(file), bytes };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'camrec-clips-'));
    c = await ClipHarness.start();
    hourMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    withAudio = await c.recordWithRestart('cam-clip-av', hourMs + 600_000, { audio: true });
    noAudio = await c.recordWithRestart('cam-clip-v', hourMs + 600_000, { audio: false });
    await makeClip('hot', withAudio);
    await makeClip('hot-noaudio', noAudio);
    // Starts 1.5 s in (inside the second 1-s GOP), ends 1.25 s before the end (between two pictures).
    await makeClip('trimmed', withAudio, 1500, 1250);
    // Pack the hour: the hot copies are deleted (drain 0) and history is read from the pack.
    const report = await c.h.packer().packHour({ deviceId: withAudio.camera, hourMs });
    expect(report).toMatchObject({ settled: true, deletedHot: withAudio.segments.length });
    for (const s of withAudio.segments) expect(await c.h.exists(s.key)).toBe(false);
    await makeClip('packed', withAudio);
  }, 300_000);
  afterAll(async () => {
    await c?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['hot', 'hot-noaudio', 'packed'])('%s: moov before mdat, the right streams, ffmpeg decodes without a word', (name) => {
    const { probe } = made[name]!;
    expect(probe.topBoxes.slice(0, 2)).toEqual(['ftyp', 'moov']);
    expect(probe.topBoxes.indexOf('moov')).toBeLessThan(probe.topBoxes.indexOf('mdat'));
    expect(probe.streams).toEqual(name === 'hot-noaudio' ? ['video'] : ['video', 'audio']);
    expect(probe.decodeWarnings).toBe('');
  });

  it.each(['hot', 'hot-noaudio', 'packed'])(
    '%s: from the keyframe before the start to the end asked for (gap included), within a frame per segment, every frame of it kept',
    (name) => {
      const r = name === 'hot-noaudio' ? noAudio : withAudio;
      const { probe, manifest, answer } = made[name]!;
      expect(manifest.segments).toHaveLength(r.segments.length);
      const endMs = r.endMs - TRIM_END_MS;
      expect(manifest.covered).toMatchObject({ startMs: r.startMs, endMs });
      expect(answer.covered).toEqual({ start: new Date(r.startMs).toISOString(), end: new Date(endMs).toISOString(), durationMs: endMs - r.startMs });
      expect(Math.abs(probe.durationSeconds - (endMs - r.startMs) / 1000)).toBeLessThanOrEqual(r.segments.length * FRAME_S);
      expect(probe.videoFrameTimes).toHaveLength(framesIn(r.media, r.startMs, endMs));
      expect(manifest.clip.discontinuities).toBe(1);
    },
  );

  it('a range inside the recording: starts at the keyframe at or before its start, ends with the last picture before its end; the answer and manifest say so', () => {
    const { probe, manifest, answer } = made.trimmed!;
    const keyframeMs = withAudio.startMs + 1000;
    const lastPictureEndMs = withAudio.endMs - 1200; // pictures every 100 ms: the last one before end - 1250 starts at end - 1300
    expect(manifest.requested).toEqual({ start: new Date(withAudio.startMs + 1500).toISOString(), end: new Date(withAudio.endMs - 1250).toISOString() });
    expect(manifest.covered).toMatchObject({ startMs: keyframeMs, endMs: lastPictureEndMs });
    expect(answer.covered).toMatchObject({ start: new Date(keyframeMs).toISOString(), durationMs: lastPictureEndMs - keyframeMs });
    expect(manifest.segments[0]!.startMs).toBe(keyframeMs);
    expect(probe.videoFrameTimes[0]).toBe(0);
    expect(probe.videoFrameTimes).toHaveLength(framesIn(withAudio.media, keyframeMs, withAudio.endMs - 1250));
    expect(Math.abs(probe.durationSeconds - (lastPictureEndMs - keyframeMs) / 1000)).toBeLessThanOrEqual(FRAME_S);
    expect(probe.streams).toEqual(['video', 'audio']);
    expect(probe.decodeWarnings).toBe('');
  });

  it('reads the hot objects before packing and byte ranges of the pack after', () => {
    expect(made.hot!.manifest.segments.every((s) => s.source.startsWith('segments/'))).toBe(true);
    expect(made.packed!.manifest.segments.every((s) => /^packs\/continuous\/.+#bytes=\d+-\d+$/.test(s.source))).toBe(true);
  });

  it("the manifest's hashes are the SHA-256s of the objects the camera uploaded, checked against the index", () => {
    for (const name of ['hot', 'packed']) {
      const m = made[name]!.manifest;
      expect(m.deviceId).toBe(withAudio.camera);
      expect(m.segments.map((s) => s.sha256)).toEqual(withAudio.segments.map((s) => sha(s.body)));
      expect(m.segments.every((s) => s.recorded)).toBe(true);
      expect(m.clip.sha256).toBe(sha(made[name]!.bytes));
      expect(m.clip.sizeBytes).toBe(made[name]!.bytes.length);
    }
  });

  it('Chromium plays the downloaded clip in a <video> element to its end', async () => {
    const played: VideoElementResult = await playInVideoElement(made.packed!.answer.downloadUrl, { timeoutMs: 90_000 });
    expect(played.error).toBeNull();
    expect(played.ended).toBe(true);
    expect(played.videoWidth).toBe(128);
    expect(played.currentTime).toBeGreaterThan((withAudio.endMs - TRIM_END_MS - withAudio.startMs) / 1000 - 0.5);
  }, 120_000);

  it('publishes Clip Ready with the object and its SHA-256', () => {
    const ready = c.publisher.published.filter((n) => n.type === NotificationType.CLIP_READY);
    expect(ready.map((n) => n.detail)).toContainEqual(
      expect.objectContaining({ deviceId: withAudio.camera, clipId: made.packed!.answer.clipId, sha256: made.packed!.manifest.clip.sha256 }),
    );
  });

  it('a clip outlives its source: the hot segments are gone (packed and deleted) and the first clip still downloads, unchanged', async () => {
    for (const s of withAudio.segments) expect(await c.h.exists(s.key)).toBe(false);
    const again = await c.call('GET', `/v1/cameras/${withAudio.camera}/clips/${made.hot!.answer.clipId}`);
    expect(again.json.state).toBe('READY');
    const bytes = Buffer.from(await (await fetch(again.json.downloadUrl)).arrayBuffer());
    expect(sha(bytes)).toBe(made.hot!.manifest.clip.sha256);
  });

  it("a camera's clip is not found through another camera's path", async () => {
    const other = await c.call('GET', `/v1/cameras/${noAudio.camera}/clips/${made.hot!.answer.clipId}`);
    expect(other.status).toBe(404);
    expect(other.json.error.code).toBe('clip_not_found');
    const del = await c.call('DELETE', `/v1/cameras/${noAudio.camera}/clips/${made.hot!.answer.clipId}`);
    expect(del.status).toBe(404);
  });

  it('refuses ranges over an hour, and a range with no recording fails with a clear reason', async () => {
    const long = await c.call('POST', `/v1/cameras/${withAudio.camera}/clips`, {
      start: new Date(hourMs).toISOString(),
      end: new Date(hourMs + HOUR_MS + 1000).toISOString(),
    });
    expect(long.status).toBe(400);
    expect(long.json.error).toMatchObject({ code: 'range_too_long' });
    expect(long.json.error.message).toMatch(/at most 60 minutes.*split it/);
    const empty = await c.clip(withAudio.camera, hourMs - 10 * HOUR_MS, hourMs - 9 * HOUR_MS);
    expect(empty.state).toBe('FAILED');
    expect(empty.error).toMatchObject({ code: 'no_recording' });
  });

  it("lists the camera's clips, and DELETE removes a clip and every object of it", async () => {
    const list = await c.call('GET', `/v1/cameras/${withAudio.camera}/clips`);
    const ids = list.json.clips.map((x: { clipId: string }) => x.clipId);
    expect(ids).toEqual(expect.arrayContaining([made.hot!.answer.clipId, made.packed!.answer.clipId]));
    expect(list.json.clips.find((x: { clipId: string }) => x.clipId === made.hot!.answer.clipId).state).toBe('READY');
    const del = await c.call('DELETE', `/v1/cameras/${withAudio.camera}/clips/${made.hot!.answer.clipId}`);
    expect(del.status).toBe(204);
    expect((await c.call('GET', `/v1/cameras/${withAudio.camera}/clips/${made.hot!.answer.clipId}`)).status).toBe(404);
    expect(await c.object(made.hot!.manifest.clip.objectKey)).toBeUndefined();
  });
});
