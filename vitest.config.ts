import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/slow-first-sequencer.ts';

/**
 * Folders of in-process unit tests: pure code, in-memory fakes and emulators the test starts
 * and stops itself, nothing that changes process-wide state (environment variables, timers,
 * SDK client classes) without putting it back. These run in the 'unit' project, whose files
 * share a worker one after another (isolate: false), so a module they all import (zod, the AWS
 * SDK, the contract) is loaded once per worker instead of once per file: the 90 files ran in
 * 30 s instead of 67 s, back to back. test/support/unit-worker-guard.ts fails a file that leaves
 * process-wide state changed. A test that needs a process of its own (it stubs a module,
 * re-imports one, or must start from a fresh one) goes in any other folder.
 */
export const UNIT_FOLDERS = [
  'architecture',
  'bench',
  'bin/provision',
  'contract',
  'device/buffer',
  'device/control',
  'device/core',
  'device/keys',
  'device/link',
  'device/recording',
  'device/upload',
  'device/media/audio',
  'device/media/clock',
  'device/media/container',
  'device/media/encrypt',
  'device/media/segment',
  'device/media/video',
  'fuzz/contract',
  'fuzz/lambda',
  'fuzz/media',
  'lambda/api',
  'lambda/events',
  'lambda/index',
  'lambda/indexer',
  'lambda/keys',
  'lambda/liveness',
  'lambda/notify',
  'lambda/playlist',
  'lambda/storage',
  'lambda/timeline',
  'lambda/token',
  'lib/devices',
  'lib/indexer',
  'lib/keys',
  'local/auth',
  'local/cli',
  'local/http',
  'media/aac',
  'media/bitstream',
  'media/h264',
  'media/h265',
];
const unitFiles = UNIT_FOLDERS.map((f) => `test/${f}/**/*.test.ts`);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Three workers on two cores: the long files mostly wait on real time (the soak's 90 s
    // schedule, live cameras, packing periods, VLC and players playing), at a quarter to two
    // thirds of a core each, so a third file in flight fills the idle CPU. The end-to-end and
    // integration files (17) took 286 s with three workers, 395 s with two, back to back on
    // the loaded development machine; `npx vitest run --maxWorkers=2` runs them two at a time.
    maxWorkers: 3,
    reporters: ['default'],
    // The long files (soak, end-to-end) start first, so neither worker ends alone on one; the
    // unit files last, one after another in the workers they share.
    sequence: { sequencer: SlowFirstSequencer },
    // The SDK's notice that its 2027 releases need Node 22 (this machine runs 20) would
    // otherwise be printed by every child process the tests start.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          exclude: unitFiles,
          // Builds dist/cli (the JavaScript `bin/camrec.js` runs) from the sources under test.
          globalSetup: ['test/support/global-build.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'unit', include: unitFiles, isolate: false, setupFiles: ['test/support/unit-worker-guard.ts'] },
      },
    ],
  },
});
