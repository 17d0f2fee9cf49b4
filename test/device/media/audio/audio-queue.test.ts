import { describe, expect, it } from 'vitest';
import { AudioQueue, type QueuedAudio } from '../../../../device/media/audio/audio-queue.ts';

const frame = (n: number, bytes = 10): Uint8Array => new Uint8Array(bytes).fill(n);

describe('AudioQueue: AAC frames waiting for their segment', () => {
  it('hands out frames before a time in groups of up to 8 back-to-back frames, dropping those before the segment; a hole starts a new group', () => {
    const q = new AudioQueue({ frames: 100 });
    // Frames of 100 ticks, back to back, except a hole of 300 ticks before the one at 2400.
    for (let i = 0; i < 12; i++) q.push(frame(i), 1000 + i * 100, 100);
    q.push(frame(12), 2400, 100);
    const groups: QueuedAudio[][] = [];
    // The segment starts at 1150: frames at 1000 and 1100 are older than it and go.
    expect(q.takeBefore(2500, 1150, (g) => groups.push([...g]))).toBe(11);
    expect(groups.map((g) => g.map((f) => f.ticks))).toEqual([[1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900], [2000, 2100], [2400]]);
    expect(q.length).toBe(0);
  });

  it('never goes back in time: a frame overlapping audio handed out is dropped and counted, one within half a frame is snapped to the end; restartTimeline() follows a video clock that went back', () => {
    const q = new AudioQueue({ frames: 100 });
    q.push(frame(1), 1000, 100);
    q.push(frame(2), 1000, 100); // re-stamped onto the same time: overlaps
    q.push(frame(3), 1140, 100); // 40 ticks after the end (1100): within half a frame, snapped to 1100
    const groups: QueuedAudio[][] = [];
    const dropped: number[] = [];
    expect(
      q.takeBefore(
        9999,
        0,
        (g) => groups.push([...g]),
        (b) => dropped.push(b),
      ),
    ).toBe(2);
    expect(groups.map((g) => g.map((f) => [f.ticks, f.frame[0]]))).toEqual([
      [
        [1000, 1],
        [1100, 3],
      ],
    ]);
    expect([dropped, q.overlapped]).toEqual([[10], 1]);
    q.push(frame(4), 500, 100);
    expect(q.takeBefore(9999, 0, () => {})).toBe(0); // before the timeline's end: dropped
    q.restartTimeline();
    q.push(frame(5), 500, 100);
    expect(q.takeBefore(9999, 0, () => {})).toBe(1);
  });

  it('keeps copies, and stays under its cap (live by frames, files by bytes) dropping the oldest', () => {
    const live = new AudioQueue({ frames: 3 });
    const f = frame(1);
    let dropped = 0;
    for (let i = 0; i < 5; i++) dropped += live.push(f, i * 10, 10);
    expect([live.length, dropped]).toEqual([3, 20]);
    f.fill(7);
    const got: QueuedAudio[] = [];
    live.takeBefore(100, 0, (g) => got.push(...g));
    expect(got.map((g) => [g.ticks, g.frame[0]])).toEqual([
      [20, 1],
      [30, 1],
      [40, 1],
    ]);
    const files = new AudioQueue({ bytes: 25 });
    for (let i = 0; i < 4; i++) files.push(frame(i), i);
    expect(files.length).toBe(2);
  });
});
