import { describe, expect, it } from 'vitest';
import { AudioQueue, type QueuedAudio } from '../../../../device/media/audio/audio-queue.ts';

const frame = (n: number, bytes = 10): Uint8Array => new Uint8Array(bytes).fill(n);

describe('AudioQueue: AAC frames waiting for their segment', () => {
  it('hands out frames before a time in groups of up to 8, dropping those before the segment or not after the last one out', () => {
    const q = new AudioQueue({ frames: 100 });
    for (let i = 0; i < 12; i++) q.push(frame(i), 1000 + i * 100);
    const groups: QueuedAudio[][] = [];
    // The segment starts at 1150: frames at 1000 and 1100 are older than it and go.
    expect(q.takeBefore(2300, 1150, (g) => groups.push([...g]))).toBe(10);
    expect(groups.map((g) => g.map((f) => f.ticks))).toEqual([[1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900], [2000, 2100]]);
    expect(q.length).toBe(0);
    q.push(frame(99), 2000); // not after the last frame handed out: audio stays monotonic
    expect(q.takeBefore(9999, 0, () => {})).toBe(0);
  });

  it('keeps copies, and stays under its cap (live by frames, files by bytes) dropping the oldest', () => {
    const live = new AudioQueue({ frames: 3 });
    const f = frame(1);
    let dropped = 0;
    for (let i = 0; i < 5; i++) dropped += live.push(f, i);
    expect([live.length, dropped]).toEqual([3, 20]);
    f.fill(7);
    const got: QueuedAudio[] = [];
    live.takeBefore(10, 0, (g) => got.push(...g));
    expect(got.map((g) => [g.ticks, g.frame[0]])).toEqual([[2, 1], [3, 1], [4, 1]]);
    const files = new AudioQueue({ bytes: 25 });
    for (let i = 0; i < 4; i++) files.push(frame(i), i);
    expect(files.length).toBe(2);
  });
});
