import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signedFetch } from '../../../local/auth/signed-fetch.ts';
import { ffmpegRun } from '../../lambda/support/fixture-media.ts';
import { allStarted, launchChromium, requireChromium, type Chromium } from '../../support/chromium.ts';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.ts';
import { until as poll } from '../../support/until.ts';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const HLS_JS = fileURLToPath(new URL('../../../node_modules/hls.js/dist/hls.min.js', import.meta.url));
const SHAKA = fileURLToPath(new URL('../../../node_modules/shaka-player/dist/shaka-player.compiled.js', import.meta.url));
const CAM = 'cam-1';

let dir: string;
let browser: Chromium | undefined;
let stack: LocalStackProcess;
let context: BrowserContext;
let playlistUrl: string;
/** Seconds into the playlist where packed history ends and hot segments begin. */
let hotFromS: number;
let totalS: number;

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> => poll(what, fn, { timeoutMs, intervalMs: 500 });

/** An ON_DEMAND playlist from the first recorded second to now, once it holds packed and hot segments. */
async function spanningPlaylist(): Promise<{ url: string; text: string }> {
  const session = async () => {
    const res = await signedFetch(`${stack.info.apiUrl}/v1/cameras/${CAM}/sessions`, {
      credentials: stack.info.credentials,
      region: stack.info.region,
      json: { mode: 'ON_DEMAND', start: new Date(Date.now() - 10 * 60_000).toISOString(), end: new Date().toISOString() },
    });
    return ((await res.json()) as { playlistUrl: string }).playlistUrl;
  };
  return until(
    'a playlist with at least 6 packed and 3 hot segments',
    async () => {
      const url = await session();
      const text = await (await fetch(url)).text();
      const packed = (text.match(/#EXT-X-BYTERANGE/g) ?? []).length;
      const hot = (text.match(/^segments\//gm) ?? []).length;
      return packed >= 6 && hot >= 3 && { url, text };
    },
    120_000,
  );
}

/** A page of the API's own origin (its JSON config) with nothing playing, and the player script loaded into it. */
async function blankPage(script: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.info.apiUrl}/local/config.json`);
  await page.evaluate(() => {
    document.body.innerHTML = '<video id="v" muted playsinline style="width:640px;height:360px"></video>';
  });
  await page.addScriptTag({ path: script });
  return page;
}

interface PlayerState {
  currentTime: number;
  paused: boolean;
  errors: string[];
  width: number;
  /** Byte-range requests the player made to the pack route. */
  packRanges: number;
}

const playerState = (page: Page): Promise<PlayerState> =>
  page.evaluate(() => {
    const v = document.getElementById('v') as HTMLVideoElement;
    const w = window as unknown as { errors: string[]; packRanges: number };
    return { currentTime: v.currentTime, paused: v.paused, errors: w.errors, width: v.videoWidth, packRanges: w.packRanges };
  });

/** Seeks to `s` and waits until playback advances a second past it. */
async function seekAndPlay(page: Page, s: number): Promise<void> {
  await page.evaluate((t) => {
    (document.getElementById('v') as HTMLVideoElement).currentTime = t;
  }, s);
  await until(
    `playback past ${s + 1} s`,
    async () => {
      const st = await playerState(page);
      return st.currentTime > s + 1 && st.currentTime < s + 8 && !st.paused;
    },
    45_000,
  );
}

beforeAll(async () => {
  requireChromium();
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'camrec-e2e-packed-'));
  // 20 s pack periods packed 10 s after they end; hot copies kept 40 s after their pack.
  await allStarted([
    startLocalStackProcess(dir, ['--pack-after', '40s']).then((s) => (stack = s)),
    launchChromium({ viewport: { width: 800, height: 500 } }).then((b) => (browser = b)),
  ]);
  context = browser!.context;
  const p = await spanningPlaylist();
  playlistUrl = p.url;
  const lines = p.text.split('\n');
  let t = 0;
  let hot: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('#EXTINF:')) {
      const d = parseFloat(lines[i]!.slice(8));
      const uri = lines.slice(i + 1).find((l) => !l.startsWith('#'))!;
      if (hot === undefined && uri.startsWith('segments/')) hot = t;
      t += d;
    }
  }
  hotFromS = hot!;
  totalS = t;
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

// The three judges read the same playlist, each with its own process or page: they run at once.
describe.concurrent('a range over packed and hot history in real players (camrec local --pack-after 40s)', () => {
  test('ffmpeg decodes its video with -v warning printing nothing', async () => {
    // Video only: the looped sample clip's audio overlaps itself by 512 ticks at every loop
    // (every ~20 s), which ffmpeg reports whether or not history is packed. The full check,
    // audio included, over packed and hot hours of unlooped media is
    // test/lambda/integration/packed-playback.test.ts.
    const { stderr } = await ffmpegRun(['-nostdin', '-v', 'warning', '-i', playlistUrl, '-map', '0:v', '-f', 'null', '-']);
    expect(stderr).toBe('');
  }, 120_000);

  test('hls.js plays it from the start (packed), seeks into the hot part and back into a pack', async () => {
    const page = await blankPage(HLS_JS);
    await page.evaluate((url) => {
      const w = window as unknown as { errors: string[]; packRanges: number; Hls: any };
      w.errors = [];
      w.packRanges = 0;
      const hls = new w.Hls({ enableWorker: true, startPosition: 0 });
      hls.on(w.Hls.Events.ERROR, (_e: unknown, d: { fatal: boolean; details: string }) => void (d.fatal && w.errors.push(d.details)));
      hls.on(w.Hls.Events.FRAG_LOADED, (_e: unknown, d: { frag: { url: string; byteRangeEndOffset?: number } }) => {
        if (d.frag.url.includes('/packs/') && d.frag.byteRangeEndOffset) w.packRanges++;
      });
      hls.loadSource(url);
      hls.attachMedia(document.getElementById('v') as HTMLVideoElement);
      hls.on(w.Hls.Events.MANIFEST_PARSED, () => void (document.getElementById('v') as HTMLVideoElement).play());
    }, playlistUrl);
    await until('hls.js playing', async () => (await playerState(page)).currentTime > 1, 45_000);
    await seekAndPlay(page, Math.max(hotFromS, totalS - 5));
    await seekAndPlay(page, 2);
    const st = await playerState(page);
    expect(st.errors).toEqual([]);
    expect(st.width).toBe(640);
    expect(st.packRanges).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'packed-hlsjs.png') });
    await page.close();
  }, 180_000);

  test('Shaka Player plays it too (AES-128 byte ranges, transmuxed TS), and seeks across the boundary', async () => {
    const page = await blankPage(SHAKA);
    page.on('request', (r) => {
      if (r.url().includes('/packs/') && r.headers().range)
        void page.evaluate(() => void ((window as unknown as { packRanges: number }).packRanges += 1)).catch(() => {});
    });
    await page.evaluate(async (url) => {
      const w = window as unknown as { errors: string[]; packRanges: number; shaka: any };
      w.errors = [];
      w.packRanges = 0;
      w.shaka.polyfill.installAll();
      const video = document.getElementById('v') as HTMLVideoElement;
      const player = new w.shaka.Player();
      player.addEventListener('error', (e: { detail: { code: number } }) => void w.errors.push(`shaka error ${e.detail.code}`));
      await player.attach(video);
      await player.load(url, 0);
      await video.play();
    }, playlistUrl);
    await until('Shaka playing', async () => (await playerState(page)).currentTime > 1, 45_000);
    await seekAndPlay(page, Math.max(hotFromS, totalS - 5));
    await seekAndPlay(page, 2);
    const st = await playerState(page);
    expect(st.errors).toEqual([]);
    expect(st.width).toBe(640);
    expect(st.packRanges).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'packed-shaka.png') });
    await page.close();
  }, 180_000);
});
