import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FFPROBE, ffmpegRun } from '../../lambda/support/fixture-media.ts';
import { allStarted, launchChromium, requireChromium, type Chromium } from '../../support/chromium.ts';
import { AVC_CAMERA as AVC, HEVC_CAMERA as HEVC, onDemandWith, openSession, startFmp4Cameras } from '../../support/fmp4-cameras.ts';
import type { LocalStackProcess } from '../../support/local-stack-process.ts';
import { until } from '../../support/until.ts';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const HLS_JS = fileURLToPath(new URL('../../../node_modules/hls.js/dist/hls.min.js', import.meta.url));
const SHAKA = fileURLToPath(new URL('../../../node_modules/shaka-player/dist/shaka-player.compiled.js', import.meta.url));

let dir: string;
let browser: Chromium | undefined;
let stack: LocalStackProcess;
let context: BrowserContext;

const session = (camera: string, body: object) => openSession(stack, camera, body);
const rangeWith = (camera: string, packed: number, hot: number) => onDemandWith(stack, camera, packed, hot);

async function blankPage(script: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.info.apiUrl}/local/config.json`);
  await page.evaluate(() => {
    document.body.innerHTML = '<video id="v" muted playsinline style="width:640px;height:360px"></video>';
  });
  await page.addScriptTag({ path: script });
  return page;
}

const playerState = (page: Page): Promise<{ currentTime: number; paused: boolean; errors: string[]; width: number }> =>
  page.evaluate(() => {
    const v = document.getElementById('v') as HTMLVideoElement;
    return { currentTime: v.currentTime, paused: v.paused, errors: (window as unknown as { errors: string[] }).errors, width: v.videoWidth };
  });

beforeAll(async () => {
  requireChromium();
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'camrec-e2e-fmp4-'));
  await allStarted([
    startFmp4Cameras(dir, { avcSize: '320x240', hevcSize: '480x270' }).then((s) => (stack = s)),
    launchChromium({ viewport: { width: 800, height: 500 } }).then((b) => (browser = b)),
  ]);
  context = browser!.context;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

// Each test waits for the history it judges itself (rangeWith) and plays in a page of its own: they run at once.
describe.concurrent('fMP4 cameras through camrec local: H.264 (--container fmp4) and H.265 (fMP4 by default)', () => {
  test('session answers carry the codec string, picture size and container', async () => {
    const avc = await until('an H.264 segment', async () => (await session(AVC, { mode: 'LIVE' })).codecs && session(AVC, { mode: 'LIVE' }), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    const hevc = await until('an H.265 segment', async () => (await session(HEVC, { mode: 'LIVE' })).codecs && session(HEVC, { mode: 'LIVE' }), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    expect(avc).toMatchObject({ codecs: expect.stringMatching(/^avc1\.42[0-9A-F]{4}$/i), container: 'fmp4', resolution: { width: 320, height: 240 } });
    expect(hevc).toMatchObject({ codecs: expect.stringMatching(/^hvc1\.1\.6\.L\d+\.90$/), container: 'fmp4', resolution: { width: 480, height: 270 } });
  }, 120_000);

  test('ffmpeg decodes the LIVE and ON_DEMAND playlists of both cameras with -v warning printing nothing', async () => {
    for (const camera of [AVC, HEVC]) {
      // ffmpeg 5.1's HLS demuxer re-reads the init section after every reload of a LIVE playlist
      // (update_init_section compares init sections by pointer, and a reload makes new ones), so
      // its mov demuxer warns "Found duplicated MOOV Atom. Skipped it" whenever `-t 4` needs a
      // reload: in a camera's first seconds, when the window holds less than 4 s. The playlist
      // names each init section once (README, "H.265 and fMP4"); the check runs on a full window.
      await rangeWith(camera, 6, 3);
      const live = await session(camera, { mode: 'LIVE' });
      const text = await (await fetch(live.playlistUrl)).text();
      expect(text).toContain('#EXT-X-VERSION:');
      expect(text).toMatch(/#EXT-X-MAP:URI="init\/[0-9a-f]{32}\.mp4"/);
      const l = await ffmpegRun(['-nostdin', '-v', 'warning', '-i', live.playlistUrl, '-t', '4', '-f', 'null', '-']);
      expect(l.stderr).toBe('');
      const { answer } = await rangeWith(camera, 6, 3);
      const d = await ffmpegRun(['-nostdin', '-v', 'warning', '-i', answer.playlistUrl, '-f', 'null', '-']);
      expect(d.stderr).toBe('');
      const probe = execFileSync(
        FFPROBE,
        ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width', '-of', 'csv=p=0', answer.playlistUrl],
        { encoding: 'utf8' },
      );
      expect(probe.trim().split('\n')[0]).toBe(camera === HEVC ? 'hevc,480' : 'h264,320');
    }
  }, 600_000);

  test('hls.js in Chromium plays the H.264 fMP4 range over packed and hot history, seeking across (no HEVC decoder in headless Chromium: H.265 is judged by ffmpeg)', async () => {
    const { answer, text } = await rangeWith(AVC, 6, 3);
    let total = 0;
    for (const m of text.matchAll(/#EXTINF:([\d.]+)/g)) total += Number(m[1]);
    const page = await blankPage(HLS_JS);
    await page.evaluate((url) => {
      const w = window as unknown as { errors: string[]; Hls: any };
      w.errors = [];
      const hls = new w.Hls({ enableWorker: true, startPosition: 0 });
      hls.on(w.Hls.Events.ERROR, (_e: unknown, d: { fatal: boolean; details: string }) => void (d.fatal && w.errors.push(d.details)));
      hls.loadSource(url);
      hls.attachMedia(document.getElementById('v') as HTMLVideoElement);
      hls.on(w.Hls.Events.MANIFEST_PARSED, () => void (document.getElementById('v') as HTMLVideoElement).play());
    }, answer.playlistUrl);
    await until('hls.js playing', async () => (await playerState(page)).currentTime > 1, 60_000);
    const seekTo = Math.max(2, total - 5);
    await page.evaluate((t) => void ((document.getElementById('v') as HTMLVideoElement).currentTime = t), seekTo);
    await until(
      `playback past ${seekTo + 1} s`,
      async () => {
        const st = await playerState(page);
        return st.currentTime > seekTo + 1 && !st.paused;
      },
      60_000,
    );
    const st = await playerState(page);
    expect(st.errors).toEqual([]);
    expect(st.width).toBe(320);
    await page.screenshot({ path: join(ARTIFACTS, 'fmp4-hlsjs.png') });
    await page.close();
  }, 300_000);

  test('Shaka Player plays the H.264 fMP4 range too', async () => {
    const { answer } = await rangeWith(AVC, 6, 3);
    const page = await blankPage(SHAKA);
    await page.evaluate(async (url) => {
      const w = window as unknown as { errors: string[]; shaka: any };
      w.errors = [];
      w.shaka.polyfill.installAll();
      const video = document.getElementById('v') as HTMLVideoElement;
      const player = new w.shaka.Player();
      player.addEventListener('error', (e: { detail: { code: number } }) => void w.errors.push(`shaka error ${e.detail.code}`));
      await player.attach(video);
      try {
        await player.load(url, 0);
      } catch (e) {
        const err = e as { code?: number; data?: unknown[] };
        w.errors.push(`shaka load ${err.code} ${JSON.stringify(err.data ?? []).slice(0, 300)}`);
        return;
      }
      await video.play();
    }, answer.playlistUrl);
    const early = await playerState(page);
    expect(early.errors).toEqual([]);
    await until('Shaka playing', async () => (await playerState(page)).currentTime > 2, 60_000);
    const st = await playerState(page);
    expect(st.errors).toEqual([]);
    expect(st.width).toBe(320);
    await page.screenshot({ path: join(ARTIFACTS, 'fmp4-shaka.png') });
    await page.close();
  }, 300_000);
});
