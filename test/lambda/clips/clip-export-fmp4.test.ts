import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipFile, ClipManifestSchema, clipObjectKey, initKey, type ClipManifest } from '../../../contract/index.ts';
import { playInVideoElement } from '../../fixtures/chromium-video.ts';
import { probeClip, type ClipProbe } from '../../fixtures/clip-judges.ts';
import { findBox, readBoxes } from '../../fixtures/mp4-inspect.ts';
import { makeMediaSegments } from '../support/fixture-media.ts';
import { BUCKET } from '../support/packing-harness.ts';
import { ClipHarness, type Recorded } from './clip-harness.ts';

const HOUR_MS = 3_600_000;
const FRAME_S = 0.1;

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('base64');

describe('clips of fMP4 cameras, H.265 and H.264, hot and packed (s3rver + dynalite + indexer + packer + ffprobe + Chromium)', () => {
  let c: ClipHarness;
  let dir: string;
  let hevc: Recorded;
  let avc: Recorded;
  const made: Record<string, { answer: any; manifest: ClipManifest; file: string; probe: ClipProbe; bytes: Buffer; from: Recorded }> = {};

  async function makeClip(name: string, r: Recorded): Promise<void> {
    const answer = await c.clip(r.camera, r.startMs + 300, r.endMs); // starts inside the first segment: the clip starts at its keyframe
    expect(answer.state, JSON.stringify(answer.error)).toBe('READY');
    const bytes = Buffer.from(await (await fetch(answer.downloadUrl)).arrayBuffer());
    const file = join(dir, `${name}.mp4`);
    await writeFile(file, bytes);
    made[name] = { answer, manifest: ClipManifestSchema.parse(answer.manifest), file, probe: await probeClip(file), bytes, from: r };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'camrec-clips-fmp4-'));
    c = await ClipHarness.start();
    const hourMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    hevc = await c.recordWithRestart('cam-clip-hevc', hourMs + 600_000, { codec: 'hevc', container: 'fmp4' });
    avc = await c.recordWithRestart('cam-clip-avc-fmp4', hourMs + 600_000, { codec: 'h264', container: 'fmp4' });
    await makeClip('hevc-hot', hevc);
    await makeClip('avc-hot', avc);
    // Pack the hour: the hot copies are deleted (drain 0), history is read from byte ranges of the pack; the init section stays its own object.
    expect(await c.h.packer().packHour({ deviceId: hevc.camera, hourMs })).toMatchObject({ settled: true, deletedHot: hevc.segments.length });
    for (const s of hevc.segments) expect(await c.h.exists(s.key), s.key).toBe(false);
    await makeClip('hevc-packed', hevc);
  }, 300_000);
  afterAll(async () => {
    await c?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['hevc-hot', 'hevc', 'hvc1', 'hvcC'],
    ['hevc-packed', 'hevc', 'hvc1', 'hvcC'],
    ['avc-hot', 'h264', 'avc1', 'avcC'],
  ])('%s: moov before mdat, %s (%s + %s) and AAC, ffmpeg decodes it without a word', (name, codec, entry, config) => {
    const { probe, bytes } = made[name]!;
    expect(probe.topBoxes.slice(0, 2)).toEqual(['ftyp', 'moov']);
    expect(probe.topBoxes.indexOf('moov')).toBeLessThan(probe.topBoxes.indexOf('mdat'));
    expect(probe.codecs).toEqual([codec, 'aac']);
    expect(probe.videoSize).toBe('128x96');
    expect(probe.decodeWarnings).toBe('');
    const stsd = findBox(readBoxes(bytes), 'moov/trak/mdia/minf/stbl/stsd')!;
    const sampleEntry = readBoxes(stsd.payload, 8)[0]!;
    expect(sampleEntry.type).toBe(entry);
    expect(sampleEntry.children.map((b) => b.type)).toContain(config);
  });

  it.each(['hevc-hot', 'hevc-packed', 'avc-hot'])('%s: lasts the recorded span (gap included) within a frame per segment, every frame kept', (name) => {
    const { probe, manifest, from } = made[name]!;
    expect(manifest.segments).toHaveLength(from.segments.length);
    expect(Math.abs(probe.durationSeconds - (from.endMs - from.startMs) / 1000)).toBeLessThanOrEqual(from.segments.length * FRAME_S);
    expect(probe.videoFrameTimes).toHaveLength(from.media.reduce((n, m) => n + m.videoFrames, 0));
    expect(manifest.clip.discontinuities).toBe(1);
    expect(manifest.clip.codecs).toBe(from.media[0]!.codecs);
  });

  it('the manifest lists every source segment and the init section read, with the SHA-256s of what the camera uploaded', () => {
    for (const name of ['hevc-hot', 'hevc-packed']) {
      const m = made[name]!.manifest;
      expect(m.segments.map((s) => s.sha256)).toEqual(hevc.segments.map((s) => sha(s.body)));
      expect(m.segments.every((s) => s.recorded)).toBe(true);
      const init = hevc.media[0]!.init!;
      expect(m.inits).toEqual([{ initId: init.id, source: initKey({ deviceId: hevc.camera, initId: init.id }), sha256: sha(init.bytes) }]);
    }
    expect(made['hevc-hot']!.manifest.segments.every((s) => /^segments\/.+\.m4s$/.test(s.source))).toBe(true);
    expect(made['hevc-packed']!.manifest.segments.every((s) => /^packs\/continuous\/.+#bytes=\d+-\d+$/.test(s.source))).toBe(true);
  });

  it('Chromium plays the H.264 fMP4 camera clip in a <video> element to its end', async () => {
    const played = await playInVideoElement(made['avc-hot']!.answer.downloadUrl, { timeoutMs: 90_000 });
    expect(played.error).toBeNull();
    expect(played.ended).toBe(true);
    expect(played.videoWidth).toBe(128);
    expect(played.currentTime).toBeGreaterThan((avc.endMs - avc.startMs) / 1000 - 0.5);
  }, 120_000);

  it('an init section whose bytes are not the ones its id names fails the clip with source_changed, and nothing is written', async () => {
    const camera = 'cam-clip-tampered';
    const key = await c.putDataKey(camera);
    const epochMs = hevc.startMs + 60_000;
    const media = await makeMediaSegments({ seconds: 2, epochMs, codec: 'hevc', audio: false });
    await c.record(camera, media, { seq: 1, discSeq: 1, ...key });
    // Someone with bucket access (not a camera: the front refuses it) rewrites the init section.
    const tampered = Buffer.from(media[0]!.init!.bytes);
    tampered[tampered.length - 1]! ^= 0xff;
    await c.h.raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: initKey({ deviceId: camera, initId: media[0]!.init!.id }), Body: tampered }));
    const answer = await c.clip(camera, epochMs, epochMs + 2000);
    expect(answer.state).toBe('FAILED');
    expect(answer.error).toMatchObject({ code: 'source_changed' });
    expect(answer.error.message).toMatch(/init section init\/cam-clip-tampered\/[0-9a-f]{32}\.mp4 does not have the SHA-256 its name says/);
    expect(await c.object(clipObjectKey(camera, answer.clipId, ClipFile.MP4))).toBeUndefined();
  });
});
