import { describe, expect, it } from 'vitest';
import type { SegmentSamples } from '../../../media/clip/segment-samples.ts';
import { trimSegment } from '../../../media/clip/trim-segment.ts';
import type { VideoSample } from '../../../media/fmp4/fmp4-input.ts';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const FRAME = 3600; // 25 fps in 90 kHz ticks
const BASE = 900_000;

/**
 * A 2 s segment at 25 fps with a keyframe every 25 pictures (two GOPs), I P B B ordering in
 * decode order (P shown after the two Bs that follow it), and an AAC frame every 1920 ticks.
 */
function segment(): SegmentSamples {
  const video: VideoSample[] = [];
  for (let i = 0; i < 50; i++) {
    // Display index: keyframes in place; within a GOP, each P (decode i) is shown two pictures later, its Bs one earlier.
    const g = i % 25;
    const shown = g === 0 ? i : g % 3 === 1 ? Math.min(i + 2, i - g + 24) : i - 1;
    video.push({ dts: BASE + i * FRAME - FRAME, pts: BASE + shown * FRAME, isSync: g === 0, nals: [Uint8Array.of(i)] });
  }
  const audio = Array.from({ length: 94 }, (_, k) => ({ pts: BASE + k * 1920, data: Uint8Array.of(k) }));
  return { video, audio, videoTrack: () => undefined as never, videoConfigKey: 'k', problems: [] };
}

const seg = { startMs: T0, durationMs: 2000 };
const wall = (pts: number): number => T0 + (pts - BASE) / 90;

describe('trimSegment: a segment cut to the clip range', () => {
  it('starts at the keyframe at or before the start: the second GOP for a start 1.3 s in, the first for 0.9 s in', () => {
    const late = trimSegment(segment(), seg, { startMs: T0 + 1300, endMs: T0 + 5000 })!;
    expect(late.startMs).toBe(T0 + 1000);
    expect(late.samples.video[0]!.isSync).toBe(true);
    expect(late.samples.video).toHaveLength(25);
    expect(late.droppedBefore).toBe(25);
    expect(late.endMs).toBe(T0 + 2000);
    expect(late.samples.audio.every((a) => a.pts >= BASE + 25 * FRAME)).toBe(true);
    const early = trimSegment(segment(), seg, { startMs: T0 + 900, endMs: T0 + 5000 })!;
    expect(early.startMs).toBe(T0);
    expect(early.samples.video).toHaveLength(50);
  });

  it('ends with every picture shown before the end, in decode order, and audio before it', () => {
    const t = trimSegment(segment(), seg, { startMs: T0, endMs: T0 + 500 })!;
    const shown = t.samples.video.map((v) => wall(v.pts)).sort((a, b) => a - b);
    // Every picture shown before 500 ms is kept (0, 40, ..., 480 ms) ...
    for (let ms = 0; ms < 500; ms += 40) expect(shown).toContain(T0 + ms);
    // ... as a prefix of the decode order, so everything kept can be decoded.
    expect(t.samples.video.map((v) => v.nals[0]![0])).toEqual(t.samples.video.map((_, i) => i));
    // It ends where the next picture of the segment is shown.
    expect(t.endMs).toBe(
      Math.min(
        ...segment()
          .video.map((v) => wall(v.pts))
          .filter((ms) => ms > Math.max(...shown)),
      ),
    );
    expect(t.samples.audio.every((a) => wall(a.pts) < T0 + 500)).toBe(true);
    expect(t.samples.audio.length).toBe(Math.ceil((500 * 90) / 1920));
  });

  it('a range inside one GOP keeps that GOP from its keyframe; a range before the segment keeps nothing', () => {
    const t = trimSegment(segment(), seg, { startMs: T0 + 1500, endMs: T0 + 1600 })!;
    expect(t.startMs).toBe(T0 + 1000);
    expect(Math.min(...t.samples.video.map((v) => wall(v.pts)))).toBe(T0 + 1000);
    expect(Math.max(...t.samples.video.map((v) => wall(v.pts)))).toBeGreaterThanOrEqual(T0 + 1560);
    expect(trimSegment(segment(), seg, { startMs: T0 - 5000, endMs: T0 })).toBeUndefined();
  });
});
