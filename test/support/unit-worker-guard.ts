import { afterAll, beforeAll, vi } from 'vitest';

/**
 * Set-up file of the 'unit' project (vitest.config.ts), whose files share a worker one after
 * another: a file that leaves process-wide state changed fails here, by name, instead of
 * some later file in the same worker failing for no reason of its own.
 */
let envBefore: Record<string, string | undefined>;

beforeAll(() => {
  envBefore = { ...process.env };
});

afterAll(() => {
  const changed = [...new Set([...Object.keys(envBefore), ...Object.keys(process.env)])].filter((k) => envBefore[k] !== process.env[k]);
  const fakeTimers = vi.isFakeTimers();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  if (changed.length > 0) throw new Error(`this file left process.env changed (${changed.join(', ')}): put it back in afterAll/afterEach`);
  if (fakeTimers) throw new Error('this file left fake timers on: call vi.useRealTimers() in afterEach');
});
