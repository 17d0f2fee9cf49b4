import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeJpeg } from '../../support/jpeg-fixture.ts';
import { allStarted, launchChromium, requireChromium, type Chromium } from '../../support/chromium.ts';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.ts';

/**
 * Pictures in the player, in headless Chromium against `camrec local`: the camera's
 * firmware posts JPEGs to its agent's control endpoint (POST /v1/images), before and during
 * an event; the player shows the event's picture in the event list, a strip along the
 * timeline, the nearest picture while the pointer hovers the timeline, and the newest
 * picture on the camera's grid tile. Each <img> must have loaded (naturalWidth > 0): the
 * browser fetched it from the session picture route, decrypted by the keys handler.
 */
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const CAM = 'cam-1';

let dir: string;
let browser: Chromium | undefined;
let stack: LocalStackProcess;
let context: BrowserContext;
let page: Page;

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 40_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; status ${await page.textContent('#status').catch(() => '?')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Loaded <img> elements matching `selector`: their natural sizes (0 x 0 while loading or broken). */
const loaded = (selector: string) =>
  page.evaluate(
    (sel) =>
      Array.from(document.querySelectorAll<HTMLImageElement>(sel))
        .filter((i) => i.complete && i.naturalWidth > 0)
        .map((i) => ({ w: i.naturalWidth, h: i.naturalHeight, src: i.src })),
    selector,
  );

async function postPicture(jpeg: Buffer, tsMs: number): Promise<string> {
  const controlUrl = stack.info.cameras.find((c) => c.id === CAM)!.controlUrl!;
  const res = await fetch(`${controlUrl}/v1/images?ts=${tsMs}`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(jpeg) });
  const body = (await res.json()) as { objectKey?: string };
  if (res.status !== 201) throw new Error(`POST /v1/images: ${res.status} ${JSON.stringify(body)}`);
  return body.objectKey!;
}

beforeAll(async () => {
  requireChromium();
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'camrec-e2e-pictures-'));
  await allStarted([
    startLocalStackProcess(dir).then((s) => (stack = s)),
    launchChromium({ viewport: { width: 1100, height: 900 } }).then((b) => (browser = b)),
  ]);
  context = browser!.context;
  page = await context.newPage();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('pictures in the player (headless Chromium, camrec local)', () => {
  test('an event picture in the event list, a strip on the timeline, the nearest picture on hover, the newest on the grid tile', async () => {
    const now = Date.now();
    // Pictures a minute and two minutes ago, and one for an event started now (the camera's SoC encoder would take these).
    const [a, b, c] = [makeJpeg(320, 180, 'testsrc'), makeJpeg(320, 180, 'testsrc2'), makeJpeg(320, 180, 'smptebars')];
    await postPicture(a, now - 120_000);
    await postPicture(b, now - 60_000);
    const controlUrl = stack.info.cameras.find((c) => c.id === CAM)!.controlUrl!;
    const ev = await fetch(`${controlUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'doorbell', durationSeconds: 30 }),
    });
    expect(ev.status, await ev.clone().text()).toBe(201);
    const eventKey = await postPicture(c, Date.now());
    expect(eventKey).toMatch(/^event-images\//);

    await page.goto(`${stack.info.playerUrl}#camera=${CAM}`);
    await page.selectOption('#zoom', '10min');
    const eventPictures = await until('the event picture loaded in the event list', async () => {
      const l = await loaded('#events .event-picture');
      return l.length ? l : undefined;
    });
    expect(eventPictures[0]).toMatchObject({ w: 320, h: 180 });
    const strip = await until('the strip pictures loaded', async () => {
      const l = await loaded('#timeline .strip-picture');
      return l.length >= 2 ? l : undefined;
    });
    expect(strip.every((i) => i.w === 320)).toBe(true);

    // Hover the track two minutes back: the preview shows the nearest picture. Hovered again
    // on each try, at the point the timeline's current window puts two minutes back: the
    // track re-renders as the live edge moves, and a hover over the old track is lost.
    const hoverTwoMinutesBack = async (): Promise<void> => {
      const win = await page.evaluate(() => {
        const tl = document.getElementById('timeline')!;
        const r = tl.querySelector('.track')!.getBoundingClientRect();
        return { startMs: Number(tl.dataset.startMs), endMs: Number(tl.dataset.endMs), width: r.width, height: r.height };
      });
      await page
        .locator('#timeline .track')
        .hover({ position: { x: ((now - 120_000 - win.startMs) / (win.endMs - win.startMs)) * win.width, y: win.height / 2 } });
    };
    const preview = await until('the hover preview loaded', async () => {
      const l = await loaded('#timeline .hover-preview:not([hidden]) img');
      if (l.length) return l[0];
      await hoverTwoMinutesBack();
      return undefined;
    });
    expect(preview.w).toBe(320);
    const previewAt = await page.evaluate(() => Number(document.querySelector<HTMLImageElement>('#timeline .hover-preview img')!.dataset.atMs));
    expect(Math.abs(previewAt - (now - 120_000))).toBeLessThan(1000);
    await page.screenshot({ path: join(ARTIFACTS, 'player-pictures.png') });

    // The grid: the tile's newest picture.
    await page.goto(stack.info.playerUrl);
    const tile = await until('the grid tile picture', async () =>
      page.evaluate(
        (id) =>
          (window as unknown as { camrec: { grid?: { snapshot(): Record<string, { picture: { url: string } | null }> } } }).camrec.grid?.snapshot()[id]
            ?.picture,
        CAM,
      ),
    );
    const probe = await page.evaluate(async (url) => {
      const img = new Image();
      img.src = url;
      await img.decode();
      return img.naturalWidth;
    }, tile!.url);
    expect(probe).toBe(320);
    await page.screenshot({ path: join(ARTIFACTS, 'player-grid-pictures.png') });
  });
});
