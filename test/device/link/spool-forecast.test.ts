import { describe, expect, it } from 'vitest';
import { SpoolForecast } from '../../../device/link/spool-forecast.ts';

describe('spool forecast', () => {
  it('says when the spool is full at the rate it grew over the last minute, and null while it does not grow', () => {
    const f = new SpoolForecast();
    for (let s = 0; s <= 90; s++) f.sample(s * 1000, 1_000_000 + s * 125_000);
    expect(f.growthBytesPerSecond()).toBeCloseTo(125_000, 0);
    // 100 MB cap, 12.25 MB in: 87.75 MB at 125 kB/s
    expect(f.fullInSeconds(100_000_000)).toBe(702);
    for (let s = 91; s <= 160; s++) f.sample(s * 1000, 12_250_000 - (s - 90) * 50_000);
    expect(f.fullInSeconds(100_000_000)).toBeNull();
  });
  it('needs 5 s of samples', () => {
    const f = new SpoolForecast();
    f.sample(0, 0);
    f.sample(1000, 1_000_000);
    expect(f.fullInSeconds(10_000_000)).toBeNull();
  });
});
