import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PlaybackLimit } from '../../../contract/index.ts';
import { signedFetch } from '../../../local/auth/signed-fetch.ts';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.ts';
import { parseMediaPlaylist, startMsOf, type PlaylistSegment } from '../../support/hls-text.ts';
import { fetchDecryptedSegments, timestampsOf } from '../../support/hls-segments.ts';
import { cameraPipeline, PYTHON, startRtspServer, type RtspServer } from '../../support/rtsp/rtsp-server.ts';
import { until } from '../../support/until.ts';

/**
 * `camrec local` recording real RTSP streams from Debian's gst-rtsp-server, judged by
 * ffmpeg, GStreamer and VLC: H.264 + AAC, H.264 + G.711 A-law, H.264 with B-frames + AAC,
 * a server that restarts mid-stream, and an AAC camera over RTP/UDP, all in one
 * `camrec local` (one camera's trouble must not touch the others).
 */
const run = promisify(execFile);
const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';
const CVLC = '/usr/bin/cvlc';
const COUNT_FRAMES = fileURLToPath(new URL('../../support/gst/count-frames.py', import.meta.url));
const FPS = 25;
const FRAME_S = 1 / FPS;
const VLC_USER = 'camrec-vlc';

const CAMERAS = { aac: '/aac', alaw: '/alaw', bframes: '/bframes' } as const;
/**
 * The UDP camera has a mount of its own: gst-rtsp-server's shared media with non-live sources
 * starts again from its beginning when another client PLAYs it, so a second client on '/aac'
 * would step the 'aac' camera's clock back (by however late it joined: more on a busy machine),
 * which a camera with one encoder never does. (The agent copes, dropping the re-stamped frames
 * as a discontinuity, but this test is about cameras that do not notice each other.)
 */
const UDP_MOUNT = '/aac-udp';
type CameraId = keyof typeof CAMERAS | 'restart' | 'udp';

let dir: string;
let server: RtspServer;
let rebooting: RtspServer;
let stack: LocalStackProcess;
let restartAtMs = 0;

async function sessionUrl(camera: string, body: Record<string, string>): Promise<string> {
  const create = () =>
    signedFetch(`${stack.info.apiUrl}/v1/cameras/${camera}/sessions`, { credentials: stack.info.credentials, region: stack.info.region, json: body });
  // One retry on a network error: a kept-alive socket the server just closed (not what is judged here).
  const res = await create().catch(() => create());
  expect(res.status).toBe(201);
  return ((await res.json()) as { playlistUrl: string }).playlistUrl;
}

async function liveSegments(camera: string): Promise<PlaylistSegment[]> {
  return parseMediaPlaylist(await (await fetch(await sessionUrl(camera, { mode: 'LIVE' }))).text()).segments;
}

const waitFor = (what: string, ok: () => Promise<boolean>, timeoutMs = 90_000): Promise<unknown> =>
  until(what, ok, { timeoutMs, intervalMs: 500, detail: () => `\n${stack.output()}` });

/**
 * ON_DEMAND over everything the camera recorded in this run, up to the end of the newest
 * segment listed now (a range ending at "now" would take in a segment still on its way,
 * and two fetches of the playlist could differ).
 */
async function onDemandUrl(camera: CameraId): Promise<string> {
  const live = await liveSegments(camera);
  const last = live.filter((s) => !s.gap).at(-1)!;
  const endMs = startMsOf(last.uri) + Math.round(last.durationS * 1000);
  return sessionUrl(camera, { mode: 'ON_DEMAND', start: new Date(startedAt - 60_000).toISOString(), end: new Date(endMs).toISOString() });
}

let startedAt = 0;

/** VLC refuses root: run it as a plain user (created on first use, as .ci/run does). */
function vlcCommand(): string[] {
  if (process.getuid?.() !== 0) return [CVLC];
  if (spawnSync('id', ['-u', VLC_USER]).status !== 0) {
    const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', VLC_USER]);
    if (made.status !== 0) throw new Error(`useradd ${VLC_USER} failed: ${made.stderr}`);
  }
  return ['runuser', '-u', VLC_USER, '--', 'env', `HOME=${join(dir, 'vlc-home')}`, CVLC];
}

beforeAll(async () => {
  for (const tool of [FFMPEG, FFPROBE, CVLC, PYTHON]) if (!existsSync(tool)) throw new Error(`${tool} is missing: .ci/run installs it from Debian`);
  dir = await mkdtemp(join(tmpdir(), 'camrec-rtsp-e2e-'));
  await mkdir(join(dir, 'vlc-home'), { recursive: true });
  await chmod(dir, 0o755);
  await chmod(join(dir, 'vlc-home'), 0o777);
  server = await startRtspServer({
    [CAMERAS.aac]: cameraPipeline({ audio: 'aac' }),
    [CAMERAS.alaw]: cameraPipeline({ audio: 'alaw' }),
    [CAMERAS.bframes]: cameraPipeline({ audio: 'aac', bFrames: 2 }),
    [UDP_MOUNT]: cameraPipeline({ audio: 'aac' }),
  });
  rebooting = await startRtspServer({ '/cam': cameraPipeline({ audio: 'aac' }) });
  startedAt = Date.now();
  // --pack-after off: this test judges what the cameras recorded, and under load it runs past
  // local mode's 2-minute packing, which turns the same ON_DEMAND playlist's segments into
  // byte ranges of packs between one fetch and the next (packed history is judged by
  // packed-players-browser.test.ts).
  stack = await startLocalStackProcess(dir, [
    '--pack-after',
    'off',
    '--camera',
    'aac',
    '--source',
    server.url(CAMERAS.aac),
    '--camera',
    'alaw',
    '--source',
    server.url(CAMERAS.alaw),
    '--camera',
    'bframes',
    '--source',
    server.url(CAMERAS.bframes),
    '--camera',
    'restart',
    '--source',
    rebooting.url('/cam'),
    // A camera like 'aac' (its own mount, see UDP_MOUNT), with RTP over UDP instead of TCP interleaved.
    '--camera',
    'udp',
    '--source',
    server.url(UDP_MOUNT),
    '--rtsp-transport',
    'udp',
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  await rebooting?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('camrec local --source rtsp://... (Debian gst-rtsp-server)', () => {
  test('all five cameras record; the restarted server is reconnected to, and the others go on untouched', async () => {
    for (const cam of ['aac', 'alaw', 'bframes', 'restart', 'udp'])
      await waitFor(`${cam} to record 4 segments`, async () => (await liveSegments(cam)).length >= 4);
    await rebooting.restart(1000);
    restartAtMs = Date.now();
    await waitFor(
      'restart to record again after its server came back',
      async () => (await liveSegments('restart')).filter((s) => startMsOf(s.uri) > restartAtMs).length >= 3,
    );
    // (ON_DEMAND over the whole run: a LIVE window that starts at the reconnect shows it as its DISCONTINUITY-SEQUENCE instead.)
    const restarted = parseMediaPlaylist(await (await fetch(await onDemandUrl('restart'))).text()).segments;
    expect(
      restarted
        .slice(1)
        .filter((s) => s.discontinuityBefore)
        .map((s) => startMsOf(s.uri) > restartAtMs - 5000),
      // Which segments, and the stack's log (the agents' warnings on stderr: reconnects, stalls), when this fails.
      `restart at ${restartAtMs}: ${JSON.stringify(restarted.map((s) => [s.uri, s.discontinuityBefore]))}\n${stack.log()}`,
    ).toEqual([true]);
    // The other cameras did not notice: no discontinuity after their first segment.
    for (const cam of ['aac', 'alaw', 'bframes', 'udp']) {
      const segs = parseMediaPlaylist(await (await fetch(await onDemandUrl(cam as CameraId))).text()).segments;
      expect(
        segs.slice(1).filter((s) => s.discontinuityBefore),
        // The stack's log (stderr: the agents' warnings) says why (a source restart, a stall, a time step) when this fails.
        `${cam}\n${stack.output()}\n${stack.log()}`,
      ).toEqual([]);
    }
  }, 240_000);

  // VLC is a player on this machine, not under our control: on a CI machine running two heavy
  // test files at once (five RTSP cameras with their ffmpeg children beside, say, the soak test),
  // VLC itself can be starved for a moment and say "PCR is called too late", or not start
  // playing within its 10 s (seen at load average 12); either counts as an allowed run. The defect
  // this guards against (TARGETDURATION 3 for 2 s segments) stalled 2 runs in 3; it passes "at most
  // two stalled runs of eight" with a probability of 2 % (as "one of six" did), while two starved
  // runs on a loaded machine do not turn CI red: beside a `bench:segment` loop (load average 7),
  // two of a round of three VLCs started at once said it. Each run is a session of its own; they
  // run two at a time (four rounds of 10 s): two 320x240 decodes beside each other add little
  // load, and a stall is still each run's own.
  test('VLC plays 10 s of LIVE without "PCR is called too late", in at least 6 runs of 8', async () => {
    const cmd = vlcCommand();
    // A full LIVE window first (a player starts three target durations from its end, RFC 8216
    // 6.3.3): with fewer segments VLC starts at the first one and has slack, and the stall this
    // guards against only shows when this test runs alone (`-t VLC`) if it waits for the window.
    await waitFor('aac LIVE window to be full', async () => (await liveSegments('aac')).length >= PlaybackLimit.LIVE_WINDOW_SEGMENTS_DEFAULT);
    const playOnce = async (runNo: number): Promise<string | undefined> => {
      const url = await sessionUrl('aac', { mode: 'LIVE' });
      const args = [
        ...cmd.slice(1),
        '-vvv',
        '--intf',
        'dummy',
        '--vout',
        'dummy',
        '--aout',
        'dummy',
        '--no-video-title-show',
        '--play-and-exit',
        '--run-time',
        '10',
        url,
      ];
      const r = await run(cmd[0]!, args, { encoding: 'utf8', timeout: 40_000, maxBuffer: 64 * 1024 * 1024 }).then(
        (ok) => ({ ...ok, status: 0 as number | string | undefined }),
        (e: { stdout?: string; stderr?: string; code?: number | string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '', status: e.code }),
      );
      const log = `${r.stdout}\n${r.stderr}`;
      const late = log.split('\n').filter((l) => /PCR\s+is called too late/.test(l));
      if (!/Buffering 100%|Stream buffering done/.test(log)) return `run ${runNo}: VLC did not start playing (exit ${r.status})`;
      if (late.length > 0) return `run ${runNo}: ${late.join(' | ')}`;
      return undefined;
    };
    const results: (string | undefined)[] = [];
    for (const round of [
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ])
      results.push(...(await Promise.all(round.map(playOnce))));
    const stalled = results.filter((x) => x !== undefined);
    expect(results).toHaveLength(8);
    expect(stalled.length, stalled.join('\n')).toBeLessThanOrEqual(2);
  }, 360_000);

  // (The UDP camera is judged above for recording alongside the others; on a loaded machine
  // RTP over UDP can lose or reorder a packet even on loopback, which is why TCP is the default.)
  // The four cameras' recordings are judged at once: each reads only its own playlist.
  describe.concurrent('each camera on its own', () => {
    for (const cam of ['aac', 'alaw', 'bframes', 'restart'] as const) {
      test(`${cam}: ON_DEMAND decodes in ffmpeg with no warning, EXTINF <= TARGETDURATION and sums to the decoded duration, GStreamer decodes every frame, DTS/PTS rise across joins`, async () => {
        const url = await onDemandUrl(cam);
        const { targetDuration, segments } = await fetchDecryptedSegments(url);
        expect(targetDuration).toBe(2);
        expect(segments.length).toBeGreaterThanOrEqual(cam === 'restart' ? 6 : 4);
        for (const s of segments) expect(s.extinfS, s.uri).toBeLessThanOrEqual(targetDuration);

        const { videoDts, audioPts, videoFrames } = timestampsOf(segments);
        const frames = videoFrames.reduce((a, b) => a + b, 0);
        for (let i = 1; i < videoDts.length; i++) expect(videoDts[i]!, `video DTS ${i}`).toBeGreaterThan(videoDts[i - 1]!);
        expect(audioPts.length).toBeGreaterThan(0);
        for (let i = 1; i < audioPts.length; i++) expect(audioPts[i]!, `audio PTS ${i}`).toBeGreaterThan(audioPts[i - 1]!);

        // ffmpeg: no warning, and the EXTINF sum is the decoded duration within one frame per segment.
        const decoded = await run(FFMPEG, ['-nostdin', '-v', 'warning', '-i', url, '-f', 'null', '-'], { timeout: 120_000 });
        // When it warns: which segments warn decoded alone (their place, size, discontinuity), and the agents' log.
        const which = async () => {
          const bad: string[] = [];
          for (const [i, s] of segments.entries()) {
            const file = join(dir, `${cam}-judged-${i}.ts`);
            await writeFile(file, s.ts);
            const alone = spawnSync(FFMPEG, ['-nostdin', '-v', 'warning', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
            if (alone.stderr.trim())
              bad.push(`#${i} of ${segments.length} ${s.uri.split('/').at(-1)} (${s.ts.length} B, discontinuity ${s.discontinuity}): ${alone.stderr.trim()}`);
          }
          return `${bad.join('\n') || 'no segment warns alone'}\n${stack.log()}`;
        };
        expect(decoded.stderr.trim(), decoded.stderr.trim() ? await which() : '').toBe('');
        const probe = await run(
          FFPROBE,
          ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'json', url],
          { timeout: 120_000 },
        );
        const ffmpegFrames = Number((JSON.parse(probe.stdout) as { streams: { nb_read_frames: string }[] }).streams[0]!.nb_read_frames);
        expect(ffmpegFrames).toBe(frames);
        const extinfSum = segments.reduce((a, s) => a + s.extinfS, 0);
        expect(Math.abs(extinfSum - frames * FRAME_S)).toBeLessThanOrEqual(segments.length * FRAME_S + 1e-6);

        // GStreamer: decodes the same playlist to the same number of frames.
        const gst = await run(PYTHON, [COUNT_FRAMES, url, '120'], { timeout: 150_000 }).catch((e: { stdout?: string; message: string }) => ({
          stdout: e.stdout ?? '',
          stderr: e.message,
        }));
        const judged = JSON.parse(gst.stdout.trim().split('\n').at(-1) ?? '{}') as { frames: number; error: string | null };
        expect(judged.error).toBeNull();
        expect(judged.frames).toBe(frames);
      }, 300_000);
    }
  });
});
