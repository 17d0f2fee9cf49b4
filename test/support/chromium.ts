import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it): the browser every player test judges playback in. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, no GPU, no background traffic, and video that may play without a click. */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export interface Chromium {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Throws the fix (install the package) when Debian's Chromium is not there. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
}

/**
 * Starts Debian's Chromium headless with a fresh profile of its own (a temporary
 * directory, removed by `close`). A test file starts one in its beforeAll, beside the
 * servers it plays from (start both with Promise.all: neither waits for the other).
 */
export async function launchChromium(o: { viewport?: { width: number; height: number } } = {}): Promise<Chromium> {
  requireChromium();
  const profile = await mkdtemp(join(tmpdir(), 'camrec-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      ...(o.viewport ? { viewport: o.viewport } : {}),
      args: ARGS,
    });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Waits for every start-up (say a server and the browser) to finish, then throws the first
 * failure: each start-up stores what it started as it finishes, so the file's afterAll can
 * stop all of it even when one failed (Promise.all would leave the slower ones running).
 */
export async function allStarted(startUps: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(startUps)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
