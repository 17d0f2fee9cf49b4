import { describe, expect, it } from 'vitest';
import { AvInterleaver } from '../../../../device/media/audio/av-interleaver.ts';

const f = (dts: number, offset = dts) => ({ dts, bytes: 100, offset });

describe('AvInterleaver: video waits for its audio', () => {
  it('files: video waits until audio covers it, in order, and goes on at the end of audio', () => {
    const placed: number[] = [];
    const i = new AvInterleaver((x: ReturnType<typeof f>) => placed.push(x.dts), 1e6, true);
    i.audio(1000);
    i.offer(f(500), false);
    i.offer(f(1500), false);
    i.offer(f(2500), false);
    expect([placed, i.waiting, i.heldFrom]).toEqual([[500], true, 1500]);
    i.audio(2000);
    expect(placed).toEqual([500, 1500]);
    i.end();
    expect(placed).toEqual([500, 1500, 2500]);
    i.offer(f(9000), false);
    expect(placed.at(-1)).toBe(9000);
  });

  it('live: waits only while audio flows and is at most 1 s behind; announced audio is awaited 2 s', () => {
    const placed: number[] = [];
    const live = new AvInterleaver((x: ReturnType<typeof f>) => placed.push(x.dts), 1e6, true);
    live.offer(f(0), true); // no audio yet, none announced: video goes
    live.expect(); // a transcoder is starting: video waits for its first frame
    live.offer(f(10_000), true);
    expect(placed).toEqual([0]);
    live.offer(f(200_000), true); // more than 2 s after the first held frame: stop waiting
    expect(placed).toEqual([0, 10_000, 200_000]);
    live.audio(250_000);
    live.offer(f(260_000), true); // audio flows: wait for it
    expect(placed.at(-1)).toBe(200_000);
    live.offer(f(400_000), true); // 150_000 ticks past where audio ends: over 1 s behind, let go
    expect(placed).toEqual([0, 10_000, 200_000, 260_000, 400_000]);
  });

  it('audio off never holds video; held video is capped in bytes', () => {
    const placed: number[] = [];
    const off = new AvInterleaver((x: ReturnType<typeof f>) => placed.push(x.dts), 1e6, false);
    off.offer(f(5), false);
    expect(placed).toEqual([5]);
    const capped = new AvInterleaver((x: ReturnType<typeof f>) => placed.push(x.dts), 250, true);
    capped.audio(0);
    capped.offer(f(10), false);
    capped.offer(f(20), false);
    capped.offer(f(30), false); // 300 bytes held > 250: all go
    expect(placed).toEqual([5, 10, 20, 30]);
  });
});
