import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allStarted, launchChromium, requireChromium, type Chromium } from '../../support/chromium.ts';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.ts';
import { until as poll } from '../../support/until.ts';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const CAMERAS = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];

interface TileState {
  state?: string;
  lastEvent: { eventId: string; type: string } | null;
  poster: boolean;
  loads: number;
  currentTime: number;
  paused: boolean;
  width: number;
  errors: { fatal?: boolean; details: string }[];
}

let dir: string;
let browser: Chromium | undefined;
let stack: LocalStackProcess;
let context: BrowserContext;
let page: Page;
/** Segment requests the page made, per camera (from the segment route's path). */
const segmentRequests = new Map<string, number>();

const tiles = (): Promise<Record<string, TileState>> =>
  page.evaluate(() => (window as unknown as { camrec: { grid: { snapshot(): Record<string, TileState> } } }).camrec.grid.snapshot());

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> =>
  poll(what, fn, { timeoutMs, intervalMs: 250, detail: async () => `tiles ${JSON.stringify(await tiles().catch(() => null))}` });

beforeAll(async () => {
  requireChromium();
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'camrec-e2e-grid-'));
  await allStarted([
    startLocalStackProcess(dir, ['--cameras', String(CAMERAS.length), '--offline-after', '6']).then((s) => (stack = s)),
    launchChromium({ viewport: { width: 1280, height: 900 } }).then((b) => (browser = b)),
  ]);
  context = browser!.context;
  page = await context.newPage();
  page.on('request', (r) => {
    const m = /\/v1\/sessions\/([^/]+)\/segments\//.exec(r.url());
    if (!m) return;
    const camera = JSON.parse(Buffer.from(m[1]!.split('.')[1]!, 'base64url').toString()).c as string;
    segmentRequests.set(camera, (segmentRequests.get(camera) ?? 0) + 1);
  });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the player opens on a grid of every camera (headless Chromium, camrec local --cameras 4)', () => {
  test('each tile: name, state, newest event; a poster frame from one segment, nothing more until someone watches', async () => {
    await page.goto(stack.info.playerUrl);
    // The grid exists once the page has fetched its configuration: wait for that, not for a fixed time.
    await page.waitForFunction(() => (window as unknown as { camrec?: { grid?: unknown } }).camrec?.grid !== undefined, undefined, { timeout: 30_000 });
    await until('4 recording tiles with a poster frame', async () => {
      const t = await tiles();
      return CAMERAS.every((c) => t[c]?.state === 'recording' && t[c]!.poster && t[c]!.width > 0) && t;
    });
    const labels = await page.locator('#grid .tile .label').allTextContents();
    expect(labels.map((l) => l.slice(0, 5))).toEqual(CAMERAS);
    for (const l of labels) expect(l).toContain('recording');
    await new Promise((r) => setTimeout(r, 4000)); // a few segments later: still one segment per tile
    const t = await tiles();
    for (const c of CAMERAS) {
      expect(t[c]!.paused, c).toBe(true);
      expect(t[c]!.loads, c).toBe(1);
      expect(segmentRequests.get(c), c).toBe(1);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'player-grid.png') });
  });

  test('hovering a tile plays it live; leaving it stops it', async () => {
    await page.hover('#grid .tile[data-camera="cam-2"]');
    const t0 = (await tiles())['cam-2']!.currentTime;
    await until('cam-2 playing', async () => (await tiles())['cam-2']!.currentTime > t0 + 1.5);
    expect((await tiles())['cam-1']!.paused).toBe(true);
    await page.mouse.move(5, 5);
    await until('cam-2 paused again', async () => (await tiles())['cam-2']!.paused);
  });

  test('4 cameras play in the grid at once ("Play all live")', async () => {
    await page.click('#play-all');
    const start = await tiles();
    await until(
      'all 4 tiles advancing together',
      async () => {
        const now = await tiles();
        return CAMERAS.every((c) => !now[c]!.paused && now[c]!.currentTime > start[c]!.currentTime + 2 && now[c]!.width === 640);
      },
      60_000,
    );
    const t = await tiles();
    for (const c of CAMERAS)
      expect(
        t[c]!.errors.filter((e) => e.fatal),
        c,
      ).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'player-grid-all-live.png') });
    await page.click('#play-all');
  });

  test('an event shows in its tile and in the notifications at once; an unplugged camera shows offline', async () => {
    const res = await fetch(`${stack.info.apiUrl}/local/cameras/cam-3/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'doorbell', seconds: 30 }),
    });
    const { eventId } = (await res.json()) as { eventId: string };
    await until("the doorbell in cam-3's tile", async () => (await tiles())['cam-3']!.lastEvent?.eventId === eventId, 20_000);
    expect(await page.locator('#grid .tile[data-camera="cam-3"] .last-event').textContent()).toMatch(/doorbell .*\(now\)/);
    await until(
      'the notification in the list',
      async () => (await page.locator('#notification-list li[data-type="Camera Event Started"][data-camera="cam-3"]').count()) > 0,
      10_000,
    );
    await fetch(`${stack.info.apiUrl}/local/cameras/cam-4/power`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ on: false }),
    });
    await until('cam-4 offline', async () => (await tiles())['cam-4']!.state === 'offline', 30_000);
    expect(await page.locator('#grid .tile[data-camera="cam-4"] .overlay').textContent()).toBe('offline');
    await until(
      'the offline notification in the list',
      async () => (await page.locator('#notification-list li[data-type="Camera Offline"][data-camera="cam-4"]').count()) > 0,
      10_000,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'player-grid-event-offline.png') });
  });

  test("a click opens today's view of that camera, with its timeline; back returns to the grid", async () => {
    await page.click('#grid .tile[data-camera="cam-3"]');
    await until('cam-3 live in the single view', async () =>
      page.evaluate(() => {
        const c = (window as unknown as { camrec: { view: string; camera: string; mode: string; timeline?: { spans: unknown[] } } }).camrec;
        const v = document.getElementById('video') as HTMLVideoElement;
        return c.view === 'camera' && c.camera === 'cam-3' && c.mode === 'LIVE' && v.currentTime > 0.5 && (c.timeline?.spans.length ?? 0) > 0;
      }),
    );
    const today = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    expect(await page.inputValue('#day')).toBe(today);
    expect(await page.locator('#timeline').getAttribute('data-start-ms')).toBe(String(await page.evaluate((d) => new Date(`${d}T00:00:00`).getTime(), today)));
    expect(page.url()).toMatch(/#camera=cam-3$/);
    await page.screenshot({ path: join(ARTIFACTS, 'player-grid-open-camera.png') });
    await page.click('#back-to-grid');
    await until('the grid again', async () =>
      page.evaluate(() => (window as unknown as { camrec: { view: string } }).camrec.view === 'grid' && !document.getElementById('grid-view')!.hidden),
    );
  });
});
