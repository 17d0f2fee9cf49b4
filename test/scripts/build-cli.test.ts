import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build.mjs';

const run = promisify(execFile);
const CAMREC = fileURLToPath(new URL('../../bin/camrec.js', import.meta.url));

/**
 * dist/cli is rebuilt by the test suite's global setup, `npm run build` and the benchmarks,
 * often while camrec processes start from it (a benchmark beside the suite, two suites, a
 * user running camrec while rebuilding). Each must find the build whole.
 */
describe('scripts/build.mjs', () => {
  it('camrec starts and answers --help throughout three rebuilds of dist/cli', async () => {
    let building = true;
    const builds = (async () => {
      try {
        for (let i = 0; i < 3; i++) await buildCli();
      } finally {
        building = false;
      }
    })();
    const answers: string[] = [];
    // Before: the build removed dist/cli first, and a start meanwhile said "this checkout is
    // not built yet" (exit 2) or failed to load a chunk half written.
    while (building) {
      const r = await run(process.execPath, [CAMREC, '--help'], { encoding: 'utf8' }).then(
        (ok) => `exit 0: ${ok.stdout.split('\n')[0]}`,
        (e: { code?: number; stderr?: string }) => `exit ${e.code}: ${e.stderr?.trim().split('\n')[0]}`,
      );
      answers.push(r);
    }
    await builds;
    expect(answers.length).toBeGreaterThanOrEqual(3);
    expect(answers.filter((a) => !a.startsWith('exit 0: '))).toEqual([]);
  }, 120_000);
});
