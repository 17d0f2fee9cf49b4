import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, setOptions, types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { makeMediaSegments, FFPROBE } from '../support/fixture-media.ts';
import { arrivalHoldMs, liveStaleAfterMs } from '../../../lambda/playlist/build-session-playlist.ts';
import { liveCacheTtlMs } from '../../../lambda/playlist/live-playlist-cache.ts';
import { PlaybackHarness } from '../support/playback-harness.ts';

const run = promisify(execFile);
const CAMERA = 'cam-garage';
const TARGET_SECONDS = 2;
const WINDOW = 5;

interface Poll {
  text: string;
  pl: types.MediaPlaylist;
}

/** RFC 8216 6.2.1 / 6.2.2 rules between two successive polls of one live playlist. */
function assertLiveRules(prev: Poll | undefined, cur: Poll, step: string): void {
  const { pl } = cur;
  expect(pl.targetDuration, step).toBe(TARGET_SECONDS);
  for (const s of pl.segments) {
    expect(Math.round(s.duration), `${step}: rounded EXTINF ${s.duration} within TARGETDURATION`).toBeLessThanOrEqual(TARGET_SECONDS);
    expect(s.programDateTime, `${step}: PROGRAM-DATE-TIME on ${s.uri}`).toBeInstanceOf(Date);
    // A recorded segment's number is its device seq.
    const m = /^segments\/\d+-(\d+)\.ts$/.exec(s.uri);
    if (m) expect(s.mediaSequenceNumber, `${step}: number of ${s.uri}`).toBe(Number(m[1]));
    else expect(s.gap, `${step}: ${s.uri} is a gap`).toBe(true);
  }
  expect(pl.endlist, step).toBe(false);
  if (!prev) return;
  expect(pl.mediaSequenceBase ?? 0, `${step}: MEDIA-SEQUENCE never decreases`).toBeGreaterThanOrEqual(prev.pl.mediaSequenceBase ?? 0);
  expect(pl.discontinuitySequenceBase ?? 0, `${step}: DISCONTINUITY-SEQUENCE never decreases`).toBeGreaterThanOrEqual(prev.pl.discontinuitySequenceBase ?? 0);
  const now = new Map(pl.segments.map((s) => [s.mediaSequenceNumber, s]));
  const last = pl.segments.at(-1)?.mediaSequenceNumber ?? -1;
  for (const old of prev.pl.segments) {
    const same = now.get(old.mediaSequenceNumber);
    if (old.mediaSequenceNumber < (pl.mediaSequenceBase ?? 0)) continue; // slid out of the front
    if (old.mediaSequenceNumber > last) throw new Error(`${step}: segment ${old.mediaSequenceNumber} vanished from the end`);
    expect(same, `${step}: segment ${old.mediaSequenceNumber} still there`).toBeDefined();
    // Every listed number keeps its URI (6.2.2): a recorded segment never turns into a gap, and a gap
    // stays a gap when its segment lands late (hls.js stops with a fatal "media sequence mismatch" otherwise).
    expect(same!.uri, `${step}: segment ${old.mediaSequenceNumber} keeps its URI`).toBe(old.uri);
    if (!old.gap)
      expect(same!.discontinuitySequence, `${step}: segment ${old.mediaSequenceNumber} keeps its discontinuity number`).toBe(old.discontinuitySequence);
  }
}

describe('LIVE playlist conformance while segments arrive', () => {
  let h: PlaybackHarness;
  let media: MediaSegment[];
  const polls: Poll[] = [];
  let playlistUrl: string;

  beforeAll(async () => {
    setOptions({ strictMode: true });
    h = await PlaybackHarness.start({ targetDurationSeconds: TARGET_SECONDS, liveWindowSegments: WINDOW });
    // The session first: a LIVE token reaches back only one live window from its issue
    // time, and making the media can take a while on a loaded machine.
    ({ playlistUrl } = await h.session(CAMERA, { mode: 'LIVE' }));
    // Recorded just now: a LIVE window lists only segments that ended within the last
    // (window + 1) target durations (12 s here).
    // Starting now leaves room for the two arrival holds the test waits out.
    media = await makeMediaSegments({ seconds: 16, epochMs: Math.floor(Date.now() / 1000) * 1000 });
  });
  afterAll(async () => {
    setOptions({ strictMode: false });
    await h?.close();
  });

  async function poll(step: string): Promise<Poll> {
    await h.settle();
    // A player reloads a live playlist a target duration apart (at least half of one), never
    // faster than the API's per-camera LIVE cache lives: move the clock on by that much.
    h.clockOffsetMs += liveCacheTtlMs(TARGET_SECONDS);
    const res = await fetch(playlistUrl);
    expect(res.status, step).toBe(200);
    expect(res.headers.get('cache-control'), step).toBe('private, max-age=1');
    const text = await res.text();
    const cur = { text, pl: parse(text) as types.MediaPlaylist };
    assertLiveRules(polls.at(-1), cur, step);
    polls.push(cur);
    return cur;
  }

  it('holds the RFC 8216 live rules through order, disorder, a gap (whose segment lands late) and two restarts', async () => {
    const idle = await poll('idle camera');
    expect(idle.pl.segments).toEqual([]);
    expect(idle.text).toContain('#EXT-X-TARGETDURATION:2');

    const k1 = await h.putDataKey(CAMERA);
    const run1 = h.encrypt(CAMERA, media.slice(0, 12), { seq: 500, discSeq: 1, ...k1 });
    const bySeq = new Map(run1.map((u) => [u.meta.seq, u]));
    const put = async (...seqs: number[]) => {
      for (const s of seqs) await h.putSegment(bySeq.get(s)!);
    };

    const numbers = (p: Poll) => p.pl.segments.map((s) => `${s.mediaSequenceNumber}${s.gap ? 'g' : ''}`);
    const hold = arrivalHoldMs({ targetDurationSeconds: TARGET_SECONDS, liveWindowSegments: WINDOW });
    // A camera's first segment is waited on for the arrival hold (an earlier one may still land), then listed.
    await put(500);
    expect(numbers(await poll('first segment, within the hold'))).toEqual([]);
    h.clockOffsetMs += hold;
    expect(numbers(await poll('first segment, after the hold'))).toEqual(['500']);
    // In order.
    for (const s of [501, 502]) {
      await put(s);
      await poll(`in order ${s}`);
    }
    // Out of order: 504 before 503. The window waits at 502 while 503 may still land (the hold), and
    // 503 landing within it is listed as itself.
    await put(504);
    expect(numbers(await poll('504 before 503'))).toEqual(['500', '501', '502']);
    await put(503);
    expect(numbers(await poll('503 lands within the hold'))).toEqual(['500', '501', '502', '503', '504']);
    // 506 is missing: the window waits at 505 for the hold, then lists 506 as a gap.
    for (const s of [505, 507]) await put(s);
    expect(numbers(await poll('507 before 506'))).toEqual(['501', '502', '503', '504', '505']);
    h.clockOffsetMs += hold;
    expect(numbers(await poll('506 missing past the hold'))).toEqual(['503', '504', '505', '506g', '507']);
    // 506 lands after it was listed as a gap: it stays a gap here until it slides out.
    await put(506);
    for (const s of [508, 509, 510, 511]) {
      await put(s);
      const p = await poll(`506 landed late, then ${s}`);
      if (s < 511) expect(numbers(p)).toContain('506g');
    }
    expect(numbers(polls.at(-1)!)).toEqual(['507', '508', '509', '510', '511']);

    // A device restart that kept its seq: disc-seq +1, a new data key.
    const k2 = await h.putDataKey(CAMERA);
    const run2 = h.encrypt(CAMERA, media.slice(12, 14), { seq: 512, discSeq: 2, ...k2 });
    for (const u of run2) {
      await h.putSegment(u);
      const p = await poll(`restart (seq kept) ${u.meta.seq}`);
      expect(p.text).toContain('#EXT-X-DISCONTINUITY\n');
    }
    // A restart after lost state: seq starts again from floor(now / 1000), disc-seq +1.
    const reset = Math.floor(Date.now() / 1000);
    const run3 = h.encrypt(CAMERA, media.slice(14, 16), { seq: reset, discSeq: 3, ...k2 });
    for (const u of run3) {
      await h.putSegment(u);
      // Held at the break in seq (a segment of the new run may still land before it), as at a gap.
      expect(numbers(await poll(`restart (seq reset) ${u.meta.seq}, within the hold`)).at(-1)).toBe('513');
    }
    h.clockOffsetMs += hold;
    await poll('restart (seq reset), after the hold');
    const final = polls.at(-1)!;
    expect(final.pl.mediaSequenceBase).toBe(reset);
    expect(final.pl.discontinuitySequenceBase).toBe(3);
    expect(final.pl.segments.map((s) => s.gap ?? false)).toEqual([false, false]);

    // The camera stops recording. Once its newest segment is older than (window + 1) target
    // durations the window is empty (no old video played as live), still a 200 with a valid
    // playlist, and its MEDIA-SEQUENCE is the next seq: every old segment slid out.
    const lastEndMs = Math.max(...run3.map((u) => u.meta.startMs + u.meta.durationMs));
    h.clockOffsetMs = lastEndMs - Date.now() + liveStaleAfterMs({ targetDurationSeconds: TARGET_SECONDS, liveWindowSegments: WINDOW }) + 1000;
    const idleAgain = await poll('camera stopped recording');
    expect(idleAgain.pl.segments).toEqual([]);
    expect(idleAgain.pl.mediaSequenceBase).toBe(reset + 2);
    expect(idleAgain.pl.discontinuitySequenceBase).toBe(3);
    // It records again (disc-seq +1 after the pause): only the new segments show, numbered on.
    const backAtMs = Date.now() + h.clockOffsetMs;
    const run4 = run3.map((u, i) => ({ ...u, meta: { ...u.meta, startMs: backAtMs + i * u.meta.durationMs, seq: reset + 2 + i, discSeq: 4 } }));
    for (const u of run4) {
      await h.putSegment(u);
      await poll(`back after the pause ${u.meta.seq}`);
    }
    const back = polls.at(-1)!;
    expect(back.pl.segments.map((s) => s.mediaSequenceNumber)).toEqual([reset + 2, reset + 3]);
    expect(back.pl.discontinuitySequenceBase).toBe(4);
    expect(h.indexErrors).toEqual([]);

    // ffmpeg reads every playlist polled above (saved with absolute URIs, so each is probed as served).
    const base = playlistUrl.replace(/playlist\.m3u8$/, '');
    const dir = await mkdtemp(join(tmpdir(), 'camrec-live-'));
    try {
      for (const [i, p] of polls.entries()) {
        if (p.pl.segments.length === 0) continue;
        const file = join(dir, `poll-${i}.m3u8`);
        await writeFile(file, p.text.replace(/^(segments|keys)\//gm, `${base}$1/`).replace(/URI="keys\//g, `URI="${base}keys/`));
        const out = await run(
          FFPROBE,
          [
            '-v',
            'error',
            '-protocol_whitelist',
            'file,http,tcp,crypto',
            '-live_start_index',
            '0',
            '-analyzeduration',
            '500000',
            '-show_entries',
            'stream=codec_name',
            '-of',
            'csv=p=0',
            file,
          ],
          { timeout: 20_000 },
        );
        // ffmpeg 5.1 does not implement EXT-X-GAP: it tries the gap entries' URIs (404s) and says so. Nothing else may appear.
        const complaints = out.stderr.split('\n').filter((l) => l && !/gap-\d+\.ts/.test(l));
        expect(complaints, `poll ${i}:\n${p.text}`).toEqual([]);
        expect(out.stdout, `poll ${i}`).toContain('h264');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    // ffprobe reads the final live window over HTTP (recorded segments, decrypted through the key route).
    // A live playlist never ends: probe only the first half second from the window's start. The API's
    // clock is put back to just after the last segment: probing the polls above takes long enough on a
    // loaded machine that the window would otherwise have gone stale (empty: nothing for ffprobe to read).
    const run4EndMs = Math.max(...run4.map((u) => u.meta.startMs + u.meta.durationMs));
    h.clockOffsetMs = run4EndMs + 1000 - Date.now();
    const probe = await run(
      FFPROBE,
      ['-v', 'error', '-live_start_index', '0', '-analyzeduration', '500000', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', playlistUrl],
      { timeout: 20_000 },
    );
    expect(probe.stderr).toBe('');
    // (ffprobe lists streams once per program as well.)
    expect([...new Set(probe.stdout.split('\n').filter(Boolean))].sort()).toEqual(['aac', 'h264']);
  });
});
