import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import { UnsupportedStreamError } from '../../../media/media-error.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { makeStream, referenceNalUnits } from '../../fixtures/h264-streams.ts';
import { pesStarts, readPackets } from '../../fixtures/ts-inspect.ts';

const dir = mkdtempSync(join(tmpdir(), 'camrec-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { video, audio } = makeStream(dir, 'live', { width: 320, height: 240, fps: '25', seconds: 4, gopFrames: 25, profile: 'main', audioHz: 48000 });
const nals = referenceNalUnits(readFileSync(video));
const SC = Uint8Array.of(0, 0, 0, 1);

/** Access units as firmware would hand them over: Annex-B bytes per frame; SPS/PPS only on the first IDR. */
function frames(keepParamSetsOnlyOnFirst: boolean): Uint8Array[] {
  const out: number[][] = [];
  let cur: number[] = [];
  let seenSps = false;
  for (const n of nals) {
    const t = n[0]! & 0x1f;
    if ((t === 7 || t === 8 || t === 6 || t === 9) && cur.some((_, i) => i === 0) && hasVcl(cur)) {
      out.push(cur);
      cur = [];
    }
    if ((t === 1 || t === 5) && hasVcl(cur)) {
      out.push(cur);
      cur = [];
    }
    if (t === 7 && seenSps && keepParamSetsOnlyOnFirst) continue;
    if (t === 8 && seenSps && keepParamSetsOnlyOnFirst && out.length > 0) continue;
    if (t === 7) seenSps = true;
    cur.push(...SC, ...n);
  }
  out.push(cur);
  return out.map((f) => Uint8Array.from(f));
}
function hasVcl(bytes: number[]): boolean {
  return referenceNalUnits(Uint8Array.from(bytes)).some((n) => (n[0]! & 0x1f) === 1 || (n[0]! & 0x1f) === 5);
}

const nalTypesOfFirstVideoPes = (seg: MediaSegment): number[] => {
  const packets = readPackets(seg.bytes);
  const first = pesStarts(packets).find((p) => p.pid === 0x100)!;
  const rest = packets
    .filter((p) => p.pid === 0x100 && p.index > first.packetIndex && !p.pusi)
    .slice(0, 3)
    .map((p) => p.payload);
  const body = Buffer.concat([first.firstPayload, ...rest]);
  return referenceNalUnits(body)
    .slice(0, 4)
    .map((n) => n[0]! & 0x1f);
};

describe('LiveSegmenter (live path)', () => {
  const t0 = 1_700_000_000_000;

  // x264 -preset ultrafast emits Constrained Baseline (42, constraint flags c0), level 1.3 (0d) at 320x240.
  it('cuts at the first IDR after the target, puts AUD+SPS+PPS in front of every segment, and times frames as given', () => {
    const fs = frames(true);
    expect(fs).toHaveLength(100);
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 2, onSegment: (x) => segs.push(x) });
    fs.forEach((f, i) => s.putVideoFrame(f, t0 + i * 40));
    s.end();
    expect(segs.map((x) => [x.startMs - t0, x.durationMs, x.videoFrames, x.discontinuity])).toEqual([
      [0, 2000, 50, true],
      [2000, 2000, 50, false],
    ]);
    expect(segs[0]).toMatchObject({ codecs: 'avc1.42c00d', width: 320, height: 240, hasAudio: false });
    for (const seg of segs) expect(nalTypesOfFirstVideoPes(seg)).toEqual([9, 7, 8, expect.any(Number)]);
  });

  it('closeSegment() cuts now; the next segment starts at the next IDR and is a discontinuity', () => {
    const fs = frames(false);
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 6, onSegment: (x) => segs.push(x) });
    fs.slice(0, 30).forEach((f, i) => s.putVideoFrame(f, t0 + i * 40));
    expect(s.openSegment()).toMatchObject({ startMs: t0, videoFrames: 30 });
    s.closeSegment();
    expect(s.openSegment()).toBeUndefined();
    fs.slice(30).forEach((f, i) => s.putVideoFrame(f, t0 + (30 + i) * 40));
    s.end();
    expect(segs.map((x) => [x.startMs - t0, x.videoFrames, x.discontinuity])).toEqual([
      [0, 30, true],
      [2000, 50, true],
    ]);
    expect(s.stats()).toMatchObject({ frames: 80, droppedFrames: 20, segments: 2, inputErrors: 0 });
  });

  it('a live start where video comes first: audio joins the first segment, which lists it in its one PMT and plays with ffmpeg', () => {
    const aac = readFileSync(audio!);
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 2, audio: true, onSegment: (x) => segs.push(x) });
    const fs = frames(false);
    const steps = 40; // the microphone's 100 ms chunks start 300 ms after the first picture
    let nextAudio = 0;
    fs.forEach((f, i) => {
      const now = t0 + i * 40;
      s.putVideoFrame(f, now);
      while (nextAudio < steps && t0 + 300 + nextAudio * 100 <= now) {
        s.pushAudio(
          aac.subarray(Math.floor((aac.byteLength * nextAudio) / steps), Math.floor((aac.byteLength * (nextAudio + 1)) / steps)),
          t0 + 300 + nextAudio * 100,
        );
        nextAudio++;
      }
    });
    s.end();
    const first = segs[0]!;
    expect(first).toMatchObject({ hasAudio: true, codecs: 'avc1.42c00d,mp4a.40.2' });
    const packets = readPackets(first.bytes);
    expect(packets[1]!.pid).toBe(0x1000); // PMT
    expect(packets.filter((p) => p.pid === 0x101).length).toBeGreaterThan(0); // audio PID carried
    const file = join(dir, 'video-first.ts');
    writeFileSync(file, first.bytes);
    const streams = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', file], { encoding: 'utf8' });
    expect([...new Set(streams.split('\n').filter(Boolean))].sort()).toEqual(['audio', 'video']);
    // Decodes without errors (pipe-style arrival times jitter, so the null muxer's
    // constant-rate warnings are not the point here).
    const errors = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
    expect(errors).toBe('');
  });

  it('streams bytes from a pipe in arbitrary chunks with arrival times, and muxes audio', () => {
    const bytes = readFileSync(video);
    const aac = readFileSync(audio!);
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 1, audio: true, onSegment: (x) => segs.push(x) });
    // Feed ~100 ms of each at a time, as a paced pipe would.
    const steps = 40;
    for (let k = 0; k < steps; k++) {
      const now = t0 + k * 100;
      s.pushAudio(aac.subarray(Math.floor((aac.byteLength * k) / steps), Math.floor((aac.byteLength * (k + 1)) / steps)), now);
      s.pushVideo(bytes.subarray(Math.floor((bytes.byteLength * k) / steps), Math.floor((bytes.byteLength * (k + 1)) / steps)), now);
    }
    s.end();
    expect(segs.length).toBeGreaterThanOrEqual(3);
    expect(segs.reduce((n, x) => n + x.videoFrames, 0)).toBe(s.stats().frames);
    expect(s.stats().frames).toBeGreaterThan(95);
    expect(segs[1]).toMatchObject({ hasAudio: true, codecs: 'avc1.42c00d,mp4a.40.2' });
    expect(s.stats().audioFrames).toBeGreaterThan(100);
    for (let i = 1; i < segs.length; i++) expect(segs[i]!.startMs).toBeGreaterThan(segs[i - 1]!.startMs);
    // PTS rise monotonically within a segment, for both PIDs
    for (const seg of segs) {
      const last = new Map<number, number>();
      for (const p of pesStarts(readPackets(seg.bytes))) {
        if (last.has(p.pid)) expect(p.pts!).toBeGreaterThan(last.get(p.pid)!);
        last.set(p.pid, p.pts!);
      }
    }
  });

  it('a gap longer than maxFrameGapMs cuts; the next segment is a discontinuity', () => {
    const fs = frames(false);
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 6, maxFrameGapMs: 1000, onSegment: (x) => segs.push(x) });
    fs.slice(0, 50).forEach((f, i) => s.putVideoFrame(f, t0 + i * 40));
    fs.slice(50).forEach((f, i) => s.putVideoFrame(f, t0 + 60_000 + i * 40));
    s.end();
    expect(segs.map((x) => [x.startMs - t0, x.videoFrames, x.discontinuity])).toEqual([
      [0, 50, true],
      [60_000, 50, true],
    ]);
  });

  it('raw Annex-B with B-frames (no timestamps to reorder by): refused once with the fix, and nothing of it is kept', () => {
    const b = makeStream(dir, 'bframes', { width: 160, height: 120, fps: '25', seconds: 3, gopFrames: 25, profile: 'main', bFrames: 2 });
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 1, onSegment: (x) => segs.push(x) });
    const data = readFileSync(b.video);
    const thrown: unknown[] = [];
    // Pushed as a pipe would: many chunks over three GOPs.
    for (let at = 0; at < data.byteLength; at += 1500) {
      try {
        s.pushVideo(data.subarray(at, at + 1500));
      } catch (e) {
        thrown.push(e);
      }
    }
    try {
      s.end();
    } catch (e) {
      thrown.push(e);
    }
    expect(thrown).toHaveLength(1);
    expect(thrown[0]).toBeInstanceOf(UnsupportedStreamError);
    expect((thrown[0] as Error).message).toMatch(/B-frames.*timestamps.*-bf 0/);
    // No stub segments: not the IDR + P that came before the first B-frame, nor any GOP after.
    expect(segs).toEqual([]);
    expect(s.stats()).toMatchObject({ frames: 0, segments: 0, droppedFrames: 75 });
    expect(() => new LiveSegmenter({ onSegment: () => {} }).pushVideo(Uint8Array.of(0))).not.toThrow();
  });

  it('warns once, with the fix, when the camera GOP is longer than the segment length', () => {
    const long = makeStream(dir, 'longgop', { width: 160, height: 120, fps: '25', seconds: 12, gopFrames: 75, profile: 'main' });
    const warnings: string[] = [];
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({
      targetSegmentSeconds: 2,
      videoTiming: { kind: 'frame-rate' },
      onSegment: (x) => segs.push(x),
      onStreamWarning: (m) => warnings.push(m),
    });
    s.pushVideo(readFileSync(long.video));
    s.end();
    expect(segs.slice(0, -1).map((x) => x.durationMs)).toEqual([3000, 3000, 3000]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /every 3\.00 s, longer than the 2 s segment length.*exceed.*TARGETDURATION of 2 s.*I-frame.*at most 2 s \(50 frames at 25 fps\)/,
    );
  });

  it('a 1.5 s GOP under a 2 s target makes 1.5 s segments, none over TARGETDURATION', () => {
    const g = makeStream(dir, 'gop15', { width: 160, height: 120, fps: '25', seconds: 9, gopFrames: 38, profile: 'main' });
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 2, videoTiming: { kind: 'frame-rate' }, onSegment: (x) => segs.push(x) });
    s.pushVideo(readFileSync(g.video));
    s.end();
    expect(segs.length).toBeGreaterThanOrEqual(5);
    for (const x of segs) expect(x.durationMs).toBeLessThanOrEqual(2000);
    expect(segs.slice(0, -1).every((x) => x.durationMs === 1520)).toBe(true);
  });
});
