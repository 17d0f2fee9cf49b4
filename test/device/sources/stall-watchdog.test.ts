import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { StallWatchdog } from '../../../device/sources/stall-watchdog.ts';

/** Blocks this process's event loop (a busy agent, a slow synchronous load) for `ms`. */
function blockEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

describe('StallWatchdog', () => {
  test('a source that went quiet is reported once, with how long it was idle', async () => {
    const stalls: number[] = [];
    const dog = new StallWatchdog(100, (idleMs) => stalls.push(idleMs));
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(stalls).toHaveLength(1);
      expect(stalls[0]).toBeGreaterThanOrEqual(100);
    } finally {
      dog.stop();
    }
  });

  test('a source that kept sending while this process was blocked is not taken for stalled', async () => {
    // A child writing every 10 ms: while the loop is blocked its output waits in the pipe.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => process.stdout.write("x"), 10)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const stalls: number[] = [];
    let reads = 0;
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const dog = new StallWatchdog(200, (idleMs) => stalls.push(idleMs));
      child.stdout.on('data', () => {
        reads++;
        dog.kick();
      });
      try {
        blockEventLoop(700);
        const readsBefore = reads;
        // Let the loop run: the due timer and the piled-up reads, then a few quiet turns more.
        await new Promise((r) => setTimeout(r, 300));
        expect(reads).toBeGreaterThan(readsBefore);
        expect(stalls).toEqual([]);
      } finally {
        dog.stop();
      }
    } finally {
      child.kill();
    }
  });
});
