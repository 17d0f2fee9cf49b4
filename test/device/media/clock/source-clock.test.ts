import { describe, expect, it } from 'vitest';
import { ConnectionClock, TimestampUnwrapper } from '../../../../device/media/clock/source-clock.ts';

const WRAP = 2 ** 33;

describe('TimestampUnwrapper', () => {
  it('keeps counting across the 33-bit wrap (every 26.5 h), and keeps a late pre-wrap value before it', () => {
    const u = new TimestampUnwrapper();
    expect(u.unwrap(WRAP - 3600)).toBe(WRAP - 3600);
    expect(u.unwrap(0)).toBe(WRAP);
    expect(u.unwrap(3600)).toBe(WRAP + 3600);
    expect(u.unwrap(WRAP - 1800)).toBe(WRAP - 1800); // audio from just before the wrap, arriving late
    expect(u.unwrap(7200)).toBe(WRAP + 7200);
  });
});

describe('ConnectionClock: source time to wall clock, fixed once per connection', () => {
  const T0 = 1_800_000_000_000; // UTC ms

  it('holds units over the first second, then maps with the smallest arrival - source difference (the burst after ffmpeg probes does not push time into the future)', () => {
    const c = new ConnectionClock<number>({ calibrationMs: 1000 });
    // Frames every 40 ms from source time 0; nothing arrives for 1.5 s, then 1.2 s of them in 100 ms, then in real time + 20 ms.
    const released: number[] = [];
    for (let i = 0; i < 100; i++) {
      const sourceMs = i * 40;
      const arrival = sourceMs < 1200 ? T0 + 1500 + (sourceMs / 1200) * 100 : T0 + sourceMs + 20 + 400;
      released.push(...c.add(i, sourceMs * 90, arrival));
    }
    expect(released).toEqual(Array.from({ length: 100 }, (_, i) => i)); // all, in order
    expect(c.calibrated).toBe(true);
    // Real-time frames arrived 420 ms after capture-time 0 + source: the mapping takes that, not the burst's 1.5 s.
    expect(c.toWallTicks(0) / 90).toBe(T0 + 420);
  });

  it('a new connection starts no earlier than where the previous one ended (decode and audio times never go back)', () => {
    const floor = (T0 + 10_000) * 90;
    const c = new ConnectionClock<string>({ calibrationMs: 0, floorTicks: floor });
    // This connection's arrival-based mapping would put its first unit 500 ms before the floor.
    expect(c.add('a', 0, T0 + 9_500)).toEqual(['a']);
    expect(c.toWallTicks(0)).toBe(floor);
    // One whose own mapping starts after the floor keeps it.
    const later = new ConnectionClock<string>({ calibrationMs: 0, floorTicks: floor });
    later.add('b', 0, T0 + 10_500);
    expect(later.toWallTicks(0)).toBe((T0 + 10_500) * 90);
  });

  it('drain() fixes the mapping when a connection ends while calibrating', () => {
    const c = new ConnectionClock<string>({ calibrationMs: 1000 });
    expect(c.add('a', 900, T0)).toEqual([]);
    expect(c.drain()).toEqual(['a']);
    expect(c.toWallTicks(900)).toBe(T0 * 90);
  });

  it('holds at most maxHeldUnits while calibrating', () => {
    const c = new ConnectionClock<number>({ calibrationMs: 10_000, maxHeldUnits: 3 });
    expect(c.add(1, 0, T0)).toEqual([]);
    expect(c.add(2, 3600, T0)).toEqual([]);
    expect(c.add(3, 7200, T0)).toEqual([1, 2, 3]);
  });
});
