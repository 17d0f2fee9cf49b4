import { buildCli } from '../../scripts/build.mjs';

/**
 * Vitest global setup: the tests that run `bin/camrec.js` as a user would run the built
 * JavaScript in dist/cli, so build it from the sources under test first (about 0.5 s).
 */
export default async function setup(): Promise<void> {
  await buildCli();
}
