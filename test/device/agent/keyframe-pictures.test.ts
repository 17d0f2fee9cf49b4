import { describe, expect, it } from 'vitest';
import { PictureSchedule } from '../../../device/agent/keyframe-pictures.ts';

describe('PictureSchedule (which keyframe pictures to keep)', () => {
  it('keeps the first keyframe of each interval slot of the camera clock: one a minute whatever the GOP', () => {
    const s = new PictureSchedule(60_000);
    const kept = [];
    // Keyframes every 2 s over 5 minutes, starting 7 s into a minute.
    for (let t = 7000; t < 307_000; t += 2000) if (s.offer(t, true)) kept.push(t);
    expect(kept).toEqual([7000, 61_000, 121_000, 181_000, 241_000, 301_000]);
  });

  it('keeps the first picture after an event starts, on top of the interval ones; none while not recording', () => {
    const s = new PictureSchedule(60_000);
    expect(s.offer(1000, false)).toBeUndefined();
    expect(s.offer(3000, true)).toBe('interval');
    s.eventStarted();
    expect(s.offer(5000, false)).toBe('event');
    expect(s.offer(7000, true)).toBeUndefined();
    expect(s.offer(61_000, true)).toBe('interval');
  });

  it('interval 0: event pictures only', () => {
    const s = new PictureSchedule(0);
    expect(s.offer(1000, true)).toBeUndefined();
    s.eventStarted();
    expect(s.offer(2000, true)).toBe('event');
  });

  it('wants() answers what offer() would keep without taking it (a raw file decodes a keyframe only when it is wanted)', () => {
    const s = new PictureSchedule(60_000);
    const kept = [];
    for (let t = 7000; t < 127_000; t += 2000) {
      const wanted = s.wants(t, true);
      expect(s.wants(t, true)).toBe(wanted);
      const why = s.offer(t, true);
      expect(why !== undefined).toBe(wanted);
      if (why) kept.push(t);
    }
    expect(kept).toEqual([7000, 61_000, 121_000]);
    expect(s.wants(123_000, false)).toBe(false);
    s.eventStarted();
    expect(s.wants(123_000, false)).toBe(true);
    expect(s.offer(123_000, false)).toBe('event');
  });
});
