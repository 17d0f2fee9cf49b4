import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { launchChromium, type Chromium } from '../../support/chromium.ts';
import { makeMediaSegments } from '../support/fixture-media.ts';
import { PlaybackHarness, type UploadSegment } from '../support/playback-harness.ts';

const CAMERA = 'cam-late-upload';
const TARGET_SECONDS = 2;
/** Long enough that the late segment is still in the window at the end. */
const WINDOW = 20;
/** 1 s segments (makeMediaSegments), put in real time as a camera would, one of them late. */
const SEGMENTS = 24;
const LATE = 8;
/** The late segment lands right after this one: 7 s after its follower, well past the hold (3 s) when it is listed as a gap. */
const LATE_LANDS_AFTER = 15;
const HLS_JS = fileURLToPath(new URL('../../../node_modules/hls.js/dist/hls.min.js', import.meta.url));
const SHAKA = fileURLToPath(new URL('../../../node_modules/shaka-player/dist/shaka-player.compiled.js', import.meta.url));

interface PageResult {
  errors: string[];
  /** The wall-clock time (EXT-X-PROGRAM-DATE-TIME) of the frame on screen. */
  playingMs: number | undefined;
}

/**
 * A camera's upload of one segment is slow (a retried PUT on a flaky link): the segment after
 * it is indexed first, the LIVE playlist lists the missing one as a gap (EXT-X-GAP), and the
 * segment lands seconds later. hls.js 1.x stops with a fatal levelParsingError ("media
 * sequence mismatch") when a reload gives a listed number another URI, so the gap must stay a
 * gap in that playlist. Judged by hls.js and Shaka Player in Debian's Chromium playing LIVE across it.
 */
describe('LIVE across a segment that lands after it was listed as a gap (s3rver + dynalite + hls.js and Shaka Player in Chromium)', () => {
  let h: PlaybackHarness;
  let browser: Chromium;
  let media: MediaSegment[];

  beforeAll(async () => {
    [h, browser] = await Promise.all([PlaybackHarness.start({ targetDurationSeconds: TARGET_SECONDS, liveWindowSegments: WINDOW }), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('hls.js and Shaka play on past the gap with no fatal error, and the segment keeps its gap in the playlist after it landed', async () => {
    const epochMs = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    media = await makeMediaSegments({ seconds: SEGMENTS, epochMs, audio: false });
    const key = await h.putDataKey(CAMERA);
    const uploads = h.encrypt(CAMERA, media, { seq: 0, discSeq: 1, ...key });
    const { playlistUrl } = await h.session(CAMERA, { mode: 'LIVE' });

    const context = browser.context;
    // Segments redirect to s3rver (another origin, without the bucket's CORS rule): the test fetches them for the page.
    await context.route(
      (url) => url.pathname.includes('/segments/'),
      async (route) => route.fulfill({ response: await route.fetch() }),
    );
    const pageWith = async (script: string) => {
      const page = await context.newPage();
      await page.goto(new URL('/v1/none', playlistUrl).href);
      await page.evaluate(() => {
        document.body.innerHTML = '<video id="v" muted playsinline></video>';
      });
      await page.addScriptTag({ path: script });
      return page;
    };
    const [hlsPage, shakaPage] = await Promise.all([pageWith(HLS_JS), pageWith(SHAKA)]);
    // What each player was refused (a gap's URI answers 404: a player that honours EXT-X-GAP never asks for it).
    const refused = new Map<Page, string[]>([
      [hlsPage, []],
      [shakaPage, []],
    ]);
    for (const [page, list] of refused)
      page.on('response', (r) => void (r.status() >= 400 && list.push(`${r.status()} ${new URL(r.url()).pathname.split('/').at(-1)}`)));

    const putAt = async (u: UploadSegment, atMs: number) => {
      await sleep(Math.max(0, atMs - Date.now()));
      await h.putSegment(u);
    };
    let started = false;
    let afterLanding = '';
    for (const [i, u] of uploads.entries()) {
      if (i === LATE) continue;
      await putAt(u, epochMs + (i + 1) * 1000);
      if (i === LATE_LANDS_AFTER) {
        await h.putSegment(uploads[LATE]!);
        await h.settle();
        afterLanding = await h.text(playlistUrl);
      }
      // The players start once the LIVE playlist lists segments (a camera's first segment is
      // waited on for the arrival hold; Shaka refuses to load an empty live playlist).
      if (i >= 3 && !started && /^segments\/\d+-\d+\.ts$/m.test(await h.text(playlistUrl))) {
        started = true;
        // Strings, not functions: the test runner's transform would add helpers the pages do not have.
        await hlsPage.evaluate(`(() => {
          window.errors = [];
          const hls = (window.hls = new Hls());
          const v = document.getElementById('v');
          hls.on(Hls.Events.ERROR, (_e, d) => window.errors.push(d.details + ' fatal=' + d.fatal + ' ' + String(d.reason || d.error || '').slice(0, 160)));
          hls.on(Hls.Events.MANIFEST_PARSED, () => v.play());
          hls.loadSource(${JSON.stringify(playlistUrl)});
          hls.attachMedia(v);
        })()`);
        await shakaPage.evaluate(`(async () => {
          window.errors = [];
          shaka.polyfill.installAll();
          const v = document.getElementById('v');
          const player = (window.player = new shaka.Player());
          player.addEventListener('error', (e) => window.errors.push('shaka error ' + e.detail.code + ' severity=' + e.detail.severity));
          await player.attach(v);
          await player.load(${JSON.stringify(playlistUrl)});
          await v.play();
        })()`);
      }
    }
    await h.settle();
    expect(h.indexErrors).toEqual([]);
    expect(started, 'the LIVE playlist listed segments while the camera recorded').toBe(true);
    // Let the player reload twice more with everything landed.
    await sleep(2 * TARGET_SECONDS * 1000);

    const [hlsjs, shakaPlayer] = await Promise.all([
      hlsPage.evaluate(`({ errors: window.errors, playingMs: window.hls.playingDate?.getTime() })`) as Promise<PageResult>,
      shakaPage.evaluate(`({ errors: window.errors, playingMs: window.player.getPlayheadTimeAsDate()?.getTime() })`) as Promise<PageResult>,
    ]);
    const text = await h.text(playlistUrl);
    // The scenario happened: the late segment is indexed, and still listed as a gap, right after it landed and at the end.
    expect((await h.index.newestSegments(CAMERA, SEGMENTS)).map((x) => x.seq)).toContain(LATE);
    for (const body of [afterLanding, text]) expect(body).toMatch(new RegExp(`#EXT-X-GAP\\nsegments/gap-${LATE}\\.ts`));
    // hls.js: no fatal error (a reload that gave seq 8 its URI was "levelParsingError fatal=true media sequence mismatch").
    expect(
      hlsjs.errors.filter((e) => e.includes('fatal=true')),
      `hls.js errors: ${hlsjs.errors.join(' | ')}; refused: ${refused.get(hlsPage)!.join(', ')}\nplaylist now:\n${text}`,
    ).toEqual([]);
    // Shaka Player: no critical error (severity 2).
    expect(
      shakaPlayer.errors.filter((e) => e.endsWith('severity=2')),
      `Shaka errors: ${shakaPlayer.errors.join(' | ')}; refused: ${refused.get(shakaPage)!.join(', ')}`,
    ).toEqual([]);
    // Both play on past the gap: the picture on screen was recorded after the late segment's time.
    const afterGapMs = epochMs + (LATE + 2) * 1000;
    for (const [name, r] of [
      ['hls.js', hlsjs],
      ['Shaka', shakaPlayer],
    ] as const)
      expect(r.playingMs ?? 0, `${name} plays past the gap (errors: ${r.errors.join(' | ')})`).toBeGreaterThan(afterGapMs);
  }, 150_000);
});
