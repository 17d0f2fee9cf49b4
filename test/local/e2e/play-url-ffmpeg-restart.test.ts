import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signedFetch } from '../../../local/auth/signed-fetch.ts';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.ts';
import { parseMediaPlaylist, seqOf, startMsOf, type PlaylistSegment } from '../../support/hls-text.ts';
import { until } from '../../support/until.ts';

const run = promisify(execFile);
const CAMREC = fileURLToPath(new URL('../../../bin/camrec.js', import.meta.url));
const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';
const CAM = 'cam-1';
const FPS = 25; // samples/sample.h264

let dir: string;
let stack: LocalStackProcess;

async function livePlaylistUrl(s: LocalStackProcess): Promise<string> {
  const res = await signedFetch(`${s.info.apiUrl}/v1/cameras/${CAM}/sessions`, {
    credentials: s.info.credentials,
    region: s.info.region,
    json: { mode: 'LIVE' },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { playlistUrl: string }).playlistUrl;
}

async function waitForSegments(url: string, enough: (segs: PlaylistSegment[]) => boolean, timeoutMs = 40_000): Promise<PlaylistSegment[]> {
  let seen = 0;
  return until(
    'enough segments in the playlist',
    async () => {
      const segs = parseMediaPlaylist(await (await fetch(url)).text()).segments;
      seen = segs.length;
      return enough(segs) && segs;
    },
    { timeoutMs, intervalMs: 500, detail: () => `playlist has ${seen} segments` },
  );
}

/** `camrec play-url` exactly as a user types it; returns the printed URL. */
async function playUrl(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CAMREC, 'play-url', '--camera', CAM, '--data-dir', dir, ...args], {
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  return stdout.trim();
}

/** Decodes the whole URL with ffmpeg; returns its warnings (empty when clean) and decoded video frames. */
async function decode(url: string): Promise<{ warnings: string; frames: number; durationS: number }> {
  const { stderr } = await run(FFMPEG, ['-nostdin', '-v', 'warning', '-i', url, '-f', 'null', '-'], { timeout: 60_000 });
  const probe = await run(
    FFPROBE,
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames:format=duration', '-of', 'json', url],
    { timeout: 60_000 },
  );
  const j = JSON.parse(probe.stdout) as { streams: { nb_read_frames: string }[]; format: { duration: string } };
  return { warnings: stderr.trim(), frames: Number(j.streams[0]!.nb_read_frames), durationS: Number(j.format.duration) };
}

beforeAll(async () => {
  for (const tool of [FFMPEG, FFPROBE]) if (!existsSync(tool)) throw new Error(`${tool} is missing: install Debian's ffmpeg package`);
  dir = await mkdtemp(join(tmpdir(), 'camrec-e2e-ffmpeg-'));
  // Seqs are read from hot segment URIs: history stays unpacked here (packed playback has its own e2e test).
  stack = await startLocalStackProcess(dir, ['--pack-after', 'off']);
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('camrec local + camrec play-url + ffmpeg', () => {
  let firstRun: PlaylistSegment[] = [];
  let range: { start: string; end: string; seconds: number };

  test('ON_DEMAND for the recorded range plays with no warnings and decodes to the recorded duration', async () => {
    firstRun = await waitForSegments(await livePlaylistUrl(stack), (s) => s.length >= 4);
    // The whole recording, from the first segment after the boot.
    const from = firstRun[0]!;
    const last = firstRun.at(-1)!;
    const startMs = from.programDateTimeMs!;
    const endMs = last.programDateTimeMs! + last.durationS * 1000;
    range = { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), seconds: (endMs - startMs) / 1000 };
    const url = await playUrl(['--mode', 'ON_DEMAND', '--start', range.start, '--end', range.end]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/sessions\/.+\/playlist\.m3u8$/);
    const playlist = parseMediaPlaylist(await (await fetch(url)).text());
    expect(playlist.ended).toBe(true);
    const recordedS = playlist.segments.reduce((a, s) => a + s.durationS, 0);
    expect(recordedS).toBeCloseTo(range.seconds, 1);
    const { warnings, frames, durationS } = await decode(url);
    expect(warnings).toBe('');
    expect(frames).toBe(Math.round(recordedS * FPS));
    expect(durationS).toBeCloseTo(recordedS, 1);
  });

  test('after a restart on the same data dir: old recordings still play, seq continues, a DISCONTINUITY marks the restart', async () => {
    expect(await stack.stop()).toBe(0);
    const restartMs = Date.now();
    stack = await startLocalStackProcess(dir, ['--pack-after', 'off']);
    const lastSeqBefore = seqOf(firstRun.at(-1)!.uri);
    await waitForSegments(await livePlaylistUrl(stack), (s) => s.filter((x) => startMsOf(x.uri) > restartMs).length >= 2);

    const whole = await playUrl(['--mode', 'ON_DEMAND', '--start', new Date(firstRun[0]!.programDateTimeMs!).toISOString(), '--end', new Date().toISOString()]);
    const segs = parseMediaPlaylist(await (await fetch(whole)).text()).segments;
    const seqs = segs.map((s) => seqOf(s.uri));
    expect(seqs[0]).toBe(seqOf(firstRun[0]!.uri));
    expect(seqs.every((q, i) => i === 0 || q === seqs[i - 1]! + 1)).toBe(true);
    const firstAfter = segs.findIndex((s) => startMsOf(s.uri) > restartMs);
    expect(seqs[firstAfter]).toBeGreaterThan(lastSeqBefore);
    expect(segs[firstAfter]!.discontinuityBefore).toBe(true);
    expect(segs.filter((s) => s.discontinuityBefore)).toHaveLength(1);

    const old = await playUrl(['--mode', 'ON_DEMAND', '--start', range.start, '--end', range.end]);
    const { warnings, frames } = await decode(old);
    expect(warnings).toBe('');
    expect(frames).toBe(Math.round(range.seconds * FPS));
  });
});
