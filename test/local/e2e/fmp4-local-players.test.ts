import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signedFetch } from '../../../local/auth/signed-fetch.ts';
import { FFMPEG, FFPROBE, ffmpegRun } from '../../lambda/support/fixture-media.ts';
import { allStarted, launchChromium, requireChromium, type Chromium } from '../../support/chromium.ts';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.ts';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const HLS_JS = fileURLToPath(new URL('../../../node_modules/hls.js/dist/hls.min.js', import.meta.url));
const SHAKA = fileURLToPath(new URL('../../../node_modules/shaka-player/dist/shaka-player.compiled.js', import.meta.url));
const AVC = 'cam-avc';
const HEVC = 'cam-hevc';

let dir: string;
let browser: Chromium | undefined;
let stack: LocalStackProcess;
let context: BrowserContext;

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Answer {
  playlistUrl: string;
  codecs?: string;
  container?: string;
  resolution?: { width: number; height: number };
}

async function session(camera: string, body: object): Promise<Answer> {
  const res = await signedFetch(`${stack.info.apiUrl}/v1/cameras/${camera}/sessions`, {
    credentials: stack.info.credentials,
    region: stack.info.region,
    json: body,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Answer;
}

/** An ON_DEMAND session over the last ten minutes, once its playlist holds `packed` byte ranges and `hot` hot segments. */
async function rangeWith(camera: string, packed: number, hot: number): Promise<{ answer: Answer; text: string }> {
  return until(
    `${camera}: a playlist with ${packed} packed and ${hot} hot segments`,
    async () => {
      const answer = await session(camera, { mode: 'ON_DEMAND', start: new Date(Date.now() - 10 * 60_000).toISOString(), end: new Date().toISOString() });
      const text = await (await fetch(answer.playlistUrl)).text();
      const p = (text.match(/#EXT-X-BYTERANGE/g) ?? []).length;
      const h = (text.match(/^segments\/.*\.m4s$/gm) ?? []).length;
      return p >= packed && h >= hot && { answer, text };
    },
    180_000,
  );
}

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
  const avc = join(dir, 'avc.h264');
  const hevc = join(dir, 'hevc.h265');
  // 20 s loops, a key frame every second, no B-frames (raw files are timed by the frame rate).
  execFileSync(FFMPEG, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=25',
    '-t',
    '20',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-profile:v',
    'baseline',
    '-g',
    '25',
    '-keyint_min',
    '25',
    '-sc_threshold',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'h264',
    avc,
  ]);
  execFileSync(FFMPEG, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=480x270:rate=25',
    '-t',
    '20',
    '-c:v',
    'libx265',
    '-preset',
    'ultrafast',
    '-x265-params',
    'keyint=25:min-keyint=25:scenecut=0:bframes=0:log-level=error',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'hevc',
    hevc,
  ]);
  await allStarted([
    startLocalStackProcess(dir, [
      '--pack-after',
      '40s',
      '--camera',
      AVC,
      '--source',
      avc,
      '--loop',
      '--fps',
      '25',
      '--container',
      'fmp4',
      '--camera',
      HEVC,
      '--source',
      hevc,
      '--loop',
      '--fps',
      '25',
    ]).then((s) => (stack = s)),
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
    const avc = await until('an H.264 segment', async () => (await session(AVC, { mode: 'LIVE' })).codecs && session(AVC, { mode: 'LIVE' }), 60_000);
    const hevc = await until('an H.265 segment', async () => (await session(HEVC, { mode: 'LIVE' })).codecs && session(HEVC, { mode: 'LIVE' }), 60_000);
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
