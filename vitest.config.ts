import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/slow-first-sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/cli (the JavaScript `bin/camrec.js` runs) from the sources under test.
    globalSetup: ['test/support/global-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: integration tests start emulators, ffmpeg and Chromium.
    maxWorkers: 2,
    reporters: ['default'],
    // The long files (soak, end-to-end) start first, so neither worker ends alone on one.
    sequence: { sequencer: SlowFirstSequencer },
    // The SDK's notice that its 2027 releases need Node 22 (this machine runs 20) would
    // otherwise be printed by every child process the tests start.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
