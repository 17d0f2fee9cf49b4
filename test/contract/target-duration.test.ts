import { describe, expect, test } from 'vitest';
import { targetDurationSeconds } from '../../contract/index.ts';
import { defaultTargetDurationSeconds } from '../../lib/settings.ts';
import { targetDurationFor } from '../../local/stack/local-stack.ts';

describe('targetDurationSeconds: one formula for cloud, local mode and the agent', () => {
  test('is the segment length rounded up to whole seconds', () => {
    expect([1, 2, 2.5, 6, 6.001, 10].map(targetDurationSeconds)).toEqual([1, 2, 3, 6, 7, 10]);
    // float noise from arithmetic does not add a second
    expect(targetDurationSeconds(0.1 + 1.9)).toBe(2);
  });

  test('the CDK default and local mode use it (they differed: 8 vs 9 for 6 s)', () => {
    for (const s of [1, 2, 3, 6, 10]) {
      expect(defaultTargetDurationSeconds(s)).toBe(targetDurationSeconds(s));
      expect(targetDurationFor(s)).toBe(targetDurationSeconds(s));
    }
  });

  test('refuses a length that is not a positive number', () => {
    expect(() => targetDurationSeconds(0)).toThrow(/segmentSeconds=0: must be a positive/);
    expect(() => targetDurationSeconds(Number.NaN)).toThrow(RangeError);
  });
});
