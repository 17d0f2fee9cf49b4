import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import { UnsupportedStreamError } from '../../../media/media-error.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { FFMPEG, FFPROBE, makeStream, referenceNalUnits, requireFfmpeg } from '../../fixtures/h264-streams.ts';

const dir = mkdtempSync(join(tmpdir(), 'camrec-corrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

requireFfmpeg();
// 3 s, 25 fps, IDR every 25 frames: 3 GOPs, 75 frames, AUD on each frame.
const { video } = makeStream(dir, 'clean', { width: 320, height: 240, fps: '25', seconds: 3, gopFrames: 25, profile: 'main', aud: true });
const clean = new Uint8Array(readFileSync(video));

/** Byte offsets of each access unit (its AUD start code) in the clean stream. */
function accessUnitStarts(data: Uint8Array): number[] {
  const starts: number[] = [];
  for (let i = 0; i + 4 < data.byteLength; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1 && (data[i + 3]! & 0x1f) === 9) starts.push(data[i - 1] === 0 ? i - 1 : i);
  }
  return starts;
}
const auStarts = accessUnitStarts(clean);

/** Segments a buffer in odd-sized chunks; returns the segments, the stats, and the reported errors. */
function segmentBytes(data: Uint8Array) {
  const segs: MediaSegment[] = [];
  const errors: string[] = [];
  const s = new LiveSegmenter({
    targetSegmentSeconds: 1,
    videoTiming: { kind: 'frame-rate' },
    onSegment: (x) => segs.push(x),
    onInputError: (e) => errors.push(e.message),
  });
  for (let at = 0; at < data.byteLength; at += 4093) s.pushVideo(data.subarray(at, at + 4093));
  s.end();
  return { segs, stats: s.stats(), errors };
}

/** Writes the segments as one TS file and returns ffmpeg's warnings and the decoded frame count. */
function play(name: string, segs: MediaSegment[]): { warnings: string; frames: number } {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, Buffer.concat(segs.map((s) => s.bytes)));
  const r = spawnSync(FFMPEG, ['-v', 'warning', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  const frames = execFileSync(
    FFPROBE,
    ['-v', 'error', '-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file],
    { encoding: 'utf8' },
  );
  return { warnings: r.stderr, frames: Number(frames.match(/\d+/)![0]) };
}

describe('corrupt input', () => {
  it('the clean stream has 75 access units and plays whole', () => {
    expect(auStarts).toHaveLength(75);
    const r = segmentBytes(clean);
    expect(r.stats).toMatchObject({ frames: 75, inputErrors: 0, droppedFrames: 0 });
    expect(play('clean', r.segs)).toEqual({ warnings: '', frames: 75 });
  });

  it('random garbage in front is dropped, counted and reported', () => {
    const garbage = Uint8Array.from({ length: 5000 }, (_, i) => (i * 37 + 11) & 0xff);
    const r = segmentBytes(Uint8Array.from([...garbage, ...clean]));
    expect(r.stats.frames).toBe(75);
    expect(r.stats.inputErrors).toBeGreaterThanOrEqual(1);
    expect(r.stats.droppedBytes).toBeGreaterThan(0);
    expect(play('garbage-front', r.segs)).toEqual({ warnings: '', frames: 75 });
  });

  it('a stream that starts mid-GOP drops to the first IDR and says so', () => {
    const r = segmentBytes(clean.subarray(auStarts[10]!));
    expect(r.stats).toMatchObject({ frames: 50, droppedFrames: 15, inputErrors: 1 });
    expect(r.errors[0]).toMatch(/mid-GOP/);
    expect(play('mid-gop', r.segs)).toEqual({ warnings: '', frames: 50 });
  });

  it('garbage spliced into the middle drops to the next IDR; the rest plays', () => {
    const junk = Uint8Array.from([0, 0, 1, 0xff, 0xee, 0xdd, 0, 0, 1, 0x80, 0x11, 0x22, 0, 0, 0, 1, 0x1f, 0x01]);
    const cut = auStarts[30]!;
    const r = segmentBytes(Uint8Array.from([...clean.subarray(0, cut), ...junk, ...clean.subarray(cut)]));
    // frame 29 (the junk joins it, as it comes before the next AUD) and 30..49 up to the IDR at 50 are dropped
    expect(r.stats.frames).toBe(54);
    expect(r.stats.droppedFrames).toBe(21);
    expect(r.stats.inputErrors).toBe(1);
    expect(r.segs.map((s) => s.discontinuity)).toContain(true);
    expect(play('spliced', r.segs)).toEqual({ warnings: '', frames: 54 });
  });

  it('a slice truncated to its first bytes is caught by its header and skipped to the next IDR', () => {
    // Keep 2 bytes of frame 60's slice NAL: its header cannot be read.
    const nals = referenceNalUnits(clean.subarray(auStarts[60]!, auStarts[61]!));
    const slice = nals.find((n) => (n[0]! & 0x1f) === 1)!;
    const sliceStart = auStarts[60]! + (slice.byteOffset - clean.subarray(auStarts[60]!).byteOffset);
    const broken = Uint8Array.from([...clean.subarray(0, sliceStart + 1), ...clean.subarray(auStarts[61]!)]);
    const r = segmentBytes(broken);
    expect(r.stats.inputErrors).toBe(1);
    expect(r.stats.frames).toBe(60);
    expect(r.stats.droppedFrames).toBe(15);
    expect(play('truncated', r.segs)).toEqual({ warnings: '', frames: 60 });
  });

  it('pure garbage never throws or hangs and makes no segment', () => {
    const noise = Uint8Array.from({ length: 200_000 }, (_, i) => (Math.imul(i, 2654435761) >>> 13) & 0xff);
    const r = segmentBytes(noise);
    expect(r.segs).toHaveLength(0);
    expect(r.stats.inputErrors).toBeGreaterThan(0);
  });

  it('one garbage frame that reads as a B slice is corrupt input, not a B-frame stream: no throw, resync at the next IDR', () => {
    // AUD, then a non-IDR slice NAL (0x01) whose header bits are first_mb_in_slice ue=0 '1',
    // slice_type ue=1 (B) '010', pic_parameter_set_id ue=0 '1' -> 0b10101000 = 0xA8.
    const fakeB = Uint8Array.of(0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x01, 0xa8, 0x55, 0x66, 0x77);
    // The same, naming PPS 5, which the stream never sent: '1' '010' '00110' + stop bit '1' -> 0xA3 0x40.
    const fakeBUnknownPps = Uint8Array.of(0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x01, 0xa3, 0x40);
    const a = auStarts[30]!;
    const b = auStarts[60]!;
    const data = Uint8Array.from([...clean.subarray(0, a), ...fakeB, ...clean.subarray(a, b), ...fakeBUnknownPps, ...fakeBUnknownPps, ...clean.subarray(b)]);
    let r!: ReturnType<typeof segmentBytes>;
    expect(() => {
      r = segmentBytes(data);
    }).not.toThrow();
    // 30..49 dropped after the first fake frame (IDR at 50), 60..74 after the second (no IDR after 50);
    // each fake frame is one error.
    expect(r.stats).toMatchObject({ frames: 40, inputErrors: 3, droppedFrames: 38 });
    expect(r.errors.join('\n')).not.toMatch(/-bf 0/);
    expect(play('fake-b', r.segs)).toEqual({ warnings: '', frames: 40 });
  });

  it('after refusing a B-frame stream the splitter is not left mid-NAL: the stream that follows is recorded whole', () => {
    const { video } = makeStream(dir, 'bframes', { width: 160, height: 120, fps: '25', seconds: 1, gopFrames: 25, profile: 'main', bFrames: 2 });
    const data = Uint8Array.from([...readFileSync(video), ...clean]);
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 1, videoTiming: { kind: 'frame-rate' }, onSegment: (x) => segs.push(x) });
    const thrown: unknown[] = [];
    const CHUNK = 4093;
    for (let at = 0; at < data.byteLength; at += CHUNK) {
      try {
        s.pushVideo(data.subarray(at, at + CHUNK));
      } catch (e) {
        thrown.push(e);
      }
    }
    s.end();
    expect(thrown.length).toBeGreaterThan(0);
    for (const e of thrown) expect(e).toBeInstanceOf(UnsupportedStreamError);
    const after = segs.filter((x) => x.width === 320);
    expect(after.reduce((n, x) => n + x.videoFrames, 0)).toBe(75);
    expect(after[0]!.discontinuity).toBe(true);
    expect(play('after-b', after)).toEqual({ warnings: '', frames: 75 });
  });
});
