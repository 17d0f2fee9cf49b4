/**
 * npm run bench:grid — the player's grid with 16 cameras (BENCH_CAMERAS) in headless
 * Chromium against `camrec local`: what a page of tiles costs while nobody watches them,
 * beside what one camera watched live costs in the same run.
 *
 * 1. From opening the page until every tile shows its poster frame (ms).
 * 2. Idle grid, 30 s (BENCH_IDLE_SECONDS): per tile, requests and bytes the page fetched
 *    (session, playlists, segment redirects and the S3 GETs they lead to, keys, status),
 *    from Chromium's own request records.
 * 3. Peer, same run: one tile watched live for the same time (hover), its bytes per minute.
 * 4. All tiles live at once ("Play all live"): how many advance together.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request } from 'playwright-core';
import { launchChromium } from '../test/support/chromium.ts';
import { startLocalStackProcess } from '../test/support/local-stack-process.ts';

const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 16);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);

type Kind = 'session' | 'playlist' | 'segment' | 'segmentBytes' | 'key' | 'status' | 'other';
const kindOf = (url: string): Kind => {
  const path = new URL(url).pathname;
  if (/^\/[^/]+\/segments\//.test(path) && !path.startsWith('/v1/')) return 'segmentBytes'; // the presigned S3 GET the segment route redirects to
  return /\/sessions$/.test(path)
    ? 'session'
    : /playlist\.m3u8$/.test(path)
      ? 'playlist'
      : /\/segments\//.test(path)
        ? 'segment'
        : /\/keys\//.test(path)
          ? 'key'
          : /\/status$/.test(path)
            ? 'status'
            : 'other';
};
/** The camera a request is for: in the path (IAM routes, S3 object keys) or in the session token (session routes). */
function cameraOf(url: string): string | undefined {
  const path = new URL(url).pathname;
  const object = /^\/[^/]+\/segments\/([^/]+)\//.exec(path);
  if (object && !path.startsWith('/v1/')) return decodeURIComponent(object[1]!);
  const m = /^\/v1\/cameras\/([^/]+)\//.exec(path);
  if (m) return decodeURIComponent(m[1]!);
  const t = /^\/v1\/sessions\/([^/]+)\//.exec(path);
  if (t) return JSON.parse(Buffer.from(t[1]!.split('.')[1]!, 'base64url').toString()).c as string;
  return undefined;
}

interface Tally {
  requests: Record<Kind, number>;
  bytes: number;
}
const newTally = (): Tally => ({ requests: { session: 0, playlist: 0, segment: 0, segmentBytes: 0, key: 0, status: 0, other: 0 }, bytes: 0 });

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'camrec-bench-grid-'));
  const stack = await startLocalStackProcess(dir, ['--cameras', String(CAMERAS)]);
  const ids = Array.from({ length: CAMERAS }, (_, i) => `cam-${i + 1}`);
  const browser = await launchChromium({ viewport: { width: 1600, height: 1000 } });
  const { context } = browser;
  try {
    const page = await context.newPage();
    let tally = new Map<string, Tally>();
    page.on('requestfinished', (r: Request) => {
      const camera = cameraOf(r.url());
      if (!camera) return;
      void r.sizes().then((s) => {
        const t = tally.get(camera) ?? newTally();
        t.requests[kindOf(r.url())]++;
        t.bytes += s.responseBodySize + s.responseHeadersSize;
        tally.set(camera, t);
      });
    });
    const snapshot = () =>
      page.evaluate(() =>
        (
          window as unknown as { camrec: { grid: { snapshot(): Record<string, { poster: boolean; width: number; currentTime: number; paused: boolean }> } } }
        ).camrec.grid.snapshot(),
      );
    const t0 = performance.now();
    await page.goto(stack.info.playerUrl);
    for (;;) {
      const s = await snapshot().catch(() => ({}) as Record<string, { poster: boolean; width: number }>);
      if (ids.every((id) => s[id]?.poster && s[id]!.width > 0)) break;
      if (performance.now() - t0 > 120_000) throw new Error('the posters did not all show within 2 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
    const postersMs = performance.now() - t0;
    const opening = tally;

    tally = new Map();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idle = tally;

    tally = new Map();
    await page.hover(`#grid .tile[data-camera="${ids[0]}"]`);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const watched = tally.get(ids[0]!) ?? newTally();
    await page.mouse.move(1, 1);

    await page.click('#play-all');
    const before = await snapshot();
    await new Promise((r) => setTimeout(r, 10_000));
    const after = await snapshot();
    const advancing = ids.filter((id) => !after[id]!.paused && after[id]!.currentTime > before[id]!.currentTime + 5).length;

    const perMinute = (x: number) => (x * 60) / IDLE_SECONDS;
    const sum = (m: Map<string, Tally>, f: (t: Tally) => number) => ids.reduce((n, id) => n + f(m.get(id) ?? newTally()), 0);
    const idleBytes = sum(idle, (t) => t.bytes) / CAMERAS;
    const idleSegments = sum(idle, (t) => t.requests.segment) / CAMERAS;
    const idleStatus = sum(idle, (t) => t.requests.status) / CAMERAS;
    const openSegments = sum(opening, (t) => t.requests.segment) / CAMERAS;
    console.log(`grid of ${CAMERAS} cameras, 2 s segments, camrec local, headless Chromium ${context.browser()?.version() ?? ''}`);
    console.log(`  every poster shown after          ${Math.round(postersMs)} ms (segments fetched per tile to show it: ${openSegments.toFixed(2)})`);
    console.log(
      `  idle grid, per tile per minute     ${(perMinute(idleBytes) / 1024).toFixed(1)} KiB; ${perMinute(idleSegments).toFixed(2)} segments, ${perMinute(idleStatus).toFixed(1)} status calls`,
    );
    console.log(`  idle grid, all ${CAMERAS} tiles per minute ${((perMinute(idleBytes) * CAMERAS) / 1024).toFixed(1)} KiB`);
    console.log(
      `  peer: one tile watched live        ${(perMinute(watched.bytes) / 1024).toFixed(1)} KiB per minute, ${perMinute(watched.requests.segment).toFixed(1)} segments per minute`,
    );
    console.log(`  -> an idle tile costs ${((100 * idleBytes) / Math.max(1, watched.bytes)).toFixed(2)} % of a watched one`);
    console.log(`  "Play all live": ${advancing} of ${CAMERAS} tiles advanced more than 5 s in 10 s`);
  } finally {
    await browser.close();
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
