import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The test files that run longest (the soak, the end-to-end runs with real servers and
 * players), in the order they should start. On a fresh clone vitest has no timings and
 * starts the largest files first, which put the 2-minute soak last: one worker ran it alone
 * while the other sat idle. Starting the long ones first keeps both workers busy to the end.
 */
const SLOW_FIRST = ['/test/soak/', '/test/local/e2e/', '/test/lambda/integration/', '/test/lib/cdk-synth', '/test/device/agent/'];

/**
 * The 'unit' project's files (vitest.config.ts) go last and together: a worker that runs one
 * goes on to the next in the same process only while the next file in the queue is also one
 * of them, and quick files at the end keep both workers busy to the last second.
 */
const rank = (spec: TestSpecification): number => {
  if (spec.project.name === 'unit') return SLOW_FIRST.length + 1;
  const i = SLOW_FIRST.findIndex((p) => spec.moduleId.replaceAll('\\', '/').includes(p));
  return i === -1 ? SLOW_FIRST.length : i;
};

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: within a rank, vitest's own order stays.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
