import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, requireChromium, type Chromium } from '../../support/chromium.ts';
import { makeCodedStream } from '../../fixtures/coded-streams.ts';
import { writeFmp4Hls } from '../../fixtures/fmp4-hls-writer.ts';

/**
 * H.264 in fMP4 from our muxer, played by hls.js (npm) in Debian's headless Chromium
 * through Media Source Extensions: clear and AES-128 playlists. (Headless Chromium has no
 * HEVC decoder, so H.265 is judged by ffmpeg and GStreamer in fmp4-conformance.test.ts.)
 */

const HLS_JS = fileURLToPath(new URL('../../../node_modules/hls.js/dist/hls.min.js', import.meta.url));
const TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.bin': 'application/octet-stream',
};

const PAGE = `<!doctype html><html><body><video id="video" muted playsinline></video>
<script src="/hls.min.js"></script>
<script>
  window.result = { errors: [], ended: false };
  const video = document.getElementById('video');
  const hls = new Hls({ debug: false });
  hls.on(Hls.Events.ERROR, (_e, d) => window.result.errors.push({ type: d.type, details: d.details, fatal: d.fatal, reason: String(d.reason || d.error || '') }));
  hls.on(Hls.Events.MANIFEST_PARSED, () => { video.playbackRate = 2; video.play(); });
  video.addEventListener('ended', () => { window.result.ended = true; });
  hls.loadSource(new URLSearchParams(location.search).get('src'));
  hls.attachMedia(video);
</script></body></html>`;

let dir: string;
let server: Server;
let base: string;
let browser: Chromium | undefined;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  requireChromium();
  dir = mkdtempSync(join(tmpdir(), 'camrec-fmp4-hlsjs-'));
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path === '/' ? undefined : path === '/hls.min.js' ? HLS_JS : join(dir, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    if (!file || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  context = browser.context;
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

interface PlayResult {
  errors: Array<{ type: string; details: string; fatal: boolean; reason: string }>;
  ended: boolean;
  currentTime: number;
  duration: number;
  width: number;
  height: number;
  buffered: Array<[number, number]>;
  decodedFrames: number;
}

async function play(playlistPath: string, seconds: number): Promise<PlayResult> {
  await page.goto(`${base}/?src=${encodeURIComponent(playlistPath)}`);
  const read = (): Promise<PlayResult> =>
    page.evaluate(() => {
      const v = document.getElementById('video') as HTMLVideoElement;
      const r = (window as unknown as { result: { errors: PlayResult['errors']; ended: boolean } }).result;
      const buffered: Array<[number, number]> = [];
      for (let i = 0; i < v.buffered.length; i++) buffered.push([v.buffered.start(i), v.buffered.end(i)]);
      return {
        errors: r.errors,
        ended: r.ended,
        currentTime: v.currentTime,
        duration: v.duration,
        width: v.videoWidth,
        height: v.videoHeight,
        buffered,
        decodedFrames: v.getVideoPlaybackQuality().totalVideoFrames,
      };
    });
  const deadline = Date.now() + Math.max(60_000, seconds * 4000);
  for (;;) {
    const r = await read();
    if (r.ended || r.errors.some((e) => e.fatal)) return r;
    if (Date.now() > deadline) throw new Error(`playback did not end: ${JSON.stringify(r)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('H.264 in fMP4 plays in headless Chromium with hls.js', () => {
  for (const encrypted of [false, true]) {
    test(`${encrypted ? 'AES-128' : 'clear'} segments: plays to the end, 640x360, one buffered range, no hls.js error about the stream`, async () => {
      const name = encrypted ? 'enc' : 'clear';
      const stream = makeCodedStream(dir, `h264-${name}`, {
        codec: 'h264',
        width: 640,
        height: 360,
        fps: '25',
        seconds: 6,
        gopFrames: 25,
        bFrames: 2,
        audioHz: 48000,
      });
      const hls = writeFmp4Hls(stream, 'h264', join(dir, name), {
        segmentSeconds: 2,
        ...(encrypted ? { key: Uint8Array.from({ length: 16 }, (_, i) => 255 - i) } : {}),
      });
      expect(hls.segments.length).toBe(3);
      const r = await play(`/${name}/index.m3u8`, 6);
      // A starved machine can make hls.js report a (non-fatal) stall while the whole stream is buffered; any other error is the stream's.
      expect(r.errors.filter((e) => e.details !== 'bufferStalledError')).toEqual([]);
      expect(r.ended).toBe(true);
      expect([r.width, r.height]).toEqual([640, 360]);
      expect(r.duration).toBeCloseTo(6, 0);
      // Decode times run on across segments: MSE buffered one range from start to end (a gap would split it).
      expect(r.buffered).toHaveLength(1);
      expect(r.buffered[0]![1] - r.buffered[0]![0]).toBeGreaterThan(5.8);
      expect(r.decodedFrames).toBeGreaterThan(140);
    }, 180_000);
  }
});
