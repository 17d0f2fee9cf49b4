import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ByteRateLimiter } from '../../../device/link/byte-rate-limiter.ts';

describe('byte rate limiter (token bucket)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => vi.useRealTimers());

  /** Takes `chunks` chunks one after the other; answers the (fake) time each was allowed. */
  async function send(l: ByteRateLimiter, chunks: number, bytes: number): Promise<number[]> {
    const times: number[] = [];
    const all = (async () => {
      for (let i = 0; i < chunks; i++) {
        await l.take(bytes);
        times.push(Date.now());
      }
    })();
    await vi.runAllTimersAsync();
    await all;
    return times;
  }

  it('holds the average at the rate: 10 x 16 KiB at 32 KiB/s take 5 s less the burst', async () => {
    const l = new ByteRateLimiter({ bytesPerSecond: 32 * 1024, burstBytes: 16 * 1024 });
    const t0 = Date.now();
    const times = await send(l, 10, 16 * 1024);
    // The first goes at once (the bucket starts empty but not in debt); each next one after its debt is paid.
    expect(times[0]).toBe(t0);
    expect(times.at(-1)! - t0).toBeGreaterThanOrEqual(4400);
    expect(times.at(-1)! - t0).toBeLessThanOrEqual(4600);
    expect(l.measuredBytesPerSecond()).toBe(16 * 1024);
  });

  it('serves callers in arrival order, and a lifted cap lets waiters go at once', async () => {
    const l = new ByteRateLimiter({ bytesPerSecond: 10_000 });
    const order: string[] = [];
    const a = l.take(50_000).then(() => order.push('a'));
    const b = l.take(10).then(() => order.push('b'));
    const c = l.take(10).then(() => order.push('c'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(order).toEqual(['a']); // b waits 5 s of debt
    l.setRate(undefined);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('an aborted wait rejects and does not hold up the next caller', async () => {
    const l = new ByteRateLimiter({ bytesPerSecond: 1000 });
    await l.take(5000);
    const ac = new AbortController();
    const stuck = l.take(10, ac.signal);
    ac.abort(new Error('PUT aborted'));
    await expect(stuck).rejects.toThrow('PUT aborted');
    const next = l.take(10);
    await vi.advanceTimersByTimeAsync(5001);
    await expect(next).resolves.toBeUndefined();
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new ByteRateLimiter({ bytesPerSecond: 0 })).toThrow(/positive/);
  });
});
