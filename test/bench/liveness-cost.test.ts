import { describe, expect, test } from 'vitest';
import { livenessCost } from '../../bench/cost/liveness-cost.ts';
import { PRICES_US_EAST_1 as prices } from '../../bench/cost/prices-us-east-1.ts';

// Worked out by hand from the us-east-1 prices (a month is 2,592,000 s).
describe('liveness cost per camera-month', () => {
  test('an idle camera heartbeating every 45 s: 57,600 PUTs ($0.288), GETs ($0.02304), invocations and compute, writes; the watch: 28,800 checks', () => {
    const c = livenessCost({ offlineAfterSeconds: 90, heartbeatSeconds: 45, idleShare: 1, notificationsPerMonth: 0, webhook: false }, prices);
    expect(c.heartbeatsPerMonth).toBe(57_600);
    const lambda = 57_600 * 0.2e-6 + 57_600 * 0.02 * 0.25 * 0.0000133334;
    expect(c.heartbeatUsd).toBeCloseTo(0.288 + 0.02304 + lambda + 57_600 * 0.625e-6, 8);
    expect(c.checksPerMonth).toBe(28_800);
    const watch = 28_800 * 3 * 0.4e-6 + 28_800 * 0.2e-6 + 28_800 * 0.01 * 0.25 * 0.0000133334 + 28_800 * 0.125e-6;
    expect(c.watchUsd).toBeCloseTo(watch, 8);
    expect(c.notificationsUsd).toBe(0);
  });

  test('a continuous camera pays no heartbeats; notifications are $1 per million, $1.20 with a webhook', () => {
    const c = livenessCost({ offlineAfterSeconds: 90, heartbeatSeconds: 45, idleShare: 0, notificationsPerMonth: 1_000_000, webhook: true }, prices);
    expect(c.heartbeatUsd).toBe(0);
    expect(c.notificationsUsd).toBeCloseTo(1.2, 10);
  });
});
