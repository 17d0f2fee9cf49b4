import { execFileSync, spawnSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signedFetch } from '../../../local/auth/signed-fetch.ts';
import { FFMPEG, FFPROBE } from '../../lambda/support/fixture-media.ts';
import { gstDecode, requireGstreamer } from '../../support/gst/gstreamer.ts';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.ts';
import { until } from '../../support/until.ts';
import { cameraPipeline, PYTHON, startRtspServer, type RtspServer } from '../../support/rtsp/rtsp-server.ts';

/**
 * An H.265 camera over RTSP (Debian's gst-rtsp-server, x265enc with B-frames, AAC) recorded
 * by `camrec local`'s agent through its ffmpeg child: fMP4 by default, the camera's own
 * timestamps kept (B-frames); ffmpeg decodes the playlists silently and GStreamer decodes
 * the init section and segments the routes serve.
 */
let dir: string;
let server: RtspServer;
let stack: LocalStackProcess;

let lastPlaylist = '';

async function session(body: object): Promise<{ playlistUrl: string; codecs?: string; container?: string; resolution?: { width: number; height: number } }> {
  const res = await signedFetch(`${stack.info.apiUrl}/v1/cameras/hevc/sessions`, {
    credentials: stack.info.credentials,
    region: stack.info.region,
    json: body,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { playlistUrl: string };
}

beforeAll(async () => {
  for (const tool of [FFMPEG, FFPROBE, PYTHON]) if (!existsSync(tool)) throw new Error(`${tool} is missing: .ci/run installs it from Debian`);
  requireGstreamer();
  dir = await mkdtemp(join(tmpdir(), 'camrec-rtsp-hevc-'));
  server = await startRtspServer({ '/hevc': cameraPipeline({ codec: 'h265', audio: 'aac', bFrames: 2, width: 320, height: 240 }) });
  stack = await startLocalStackProcess(dir, ['--camera', 'hevc', '--source', server.url('/hevc')]);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('an H.265 RTSP camera (gst-rtsp-server x265enc, B-frames, AAC) through camrec local', () => {
  test('records fMP4 with an init section; ffmpeg decodes LIVE and ON_DEMAND silently, ffprobe sees HEVC with B-frames, GStreamer decodes what the routes serve', async () => {
    const startedAt = Date.now();
    const live = await until(
      '4 recorded segments',
      async () => {
        const s = await session({ mode: 'LIVE' });
        const text = (lastPlaylist = await (await fetch(s.playlistUrl)).text());
        return (text.match(/^segments\/.*\.m4s$/gm) ?? []).length >= 4 && { s, text };
      },
      { timeoutMs: 180_000, intervalMs: 500, detail: () => `last LIVE playlist:\n${lastPlaylist}` },
    );
    expect(live.s).toMatchObject({
      codecs: expect.stringMatching(/^hvc1\.1\.6\.L\d+\.90,mp4a\.40\.2$/),
      container: 'fmp4',
      resolution: { width: 320, height: 240 },
    });
    expect(live.text).toMatch(/#EXT-X-MAP:URI="init\/[0-9a-f]{32}\.mp4"/);
    const l = spawnSync(FFMPEG, ['-nostdin', '-v', 'warning', '-i', live.s.playlistUrl, '-t', '4', '-f', 'null', '-'], { encoding: 'utf8', timeout: 120_000 });
    expect(l.error, 'ffmpeg reading the LIVE playlist').toBeUndefined();
    expect(l.stderr).toBe('');

    const range = await session({ mode: 'ON_DEMAND', start: new Date(startedAt - 60_000).toISOString(), end: new Date(Date.now() - 2000).toISOString() });
    const d = spawnSync(FFMPEG, ['-nostdin', '-v', 'warning', '-i', range.playlistUrl, '-f', 'null', '-'], { encoding: 'utf8', timeout: 120_000 });
    expect(d.error, 'ffmpeg reading the ON_DEMAND playlist').toBeUndefined();
    expect(d.stderr).toBe('');
    const probe = JSON.parse(
      execFileSync(
        FFPROBE,
        ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,has_b_frames,width', '-of', 'json', range.playlistUrl],
        { encoding: 'utf8' },
      ),
    ) as {
      streams: { codec_name: string; has_b_frames: number; width: number }[];
    };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'hevc', width: 320 });
    expect(probe.streams[0]!.has_b_frames).toBeGreaterThan(0);

    // GStreamer: 1.22's hlsdemux/hlsdemux2 cannot open AES-128 fMP4 ("Could not determine type of
    // stream", see test/media/fmp4/fmp4-conformance.test.ts), so it judges what a player gets
    // through the routes: the init section and every segment decrypted with its key and IV.
    const pl = parse(await (await fetch(range.playlistUrl)).text()) as types.MediaPlaylist;
    const base = range.playlistUrl.replace(/playlist\.m3u8$/, '');
    const keys = new Map<string, Buffer>();
    const parts: Buffer[] = [Buffer.from(await (await fetch(base + pl.segments[0]!.map!.uri)).arrayBuffer())];
    for (const seg of pl.segments) {
      if (seg.gap) continue;
      const keyUri = seg.key!.uri!;
      if (!keys.has(keyUri)) keys.set(keyUri, Buffer.from(await (await fetch(base + keyUri)).arrayBuffer()));
      const d = createDecipheriv('aes-128-cbc', keys.get(keyUri)!, Buffer.from(seg.key!.iv!));
      parts.push(d.update(Buffer.from(await (await fetch(base + seg.uri)).arrayBuffer())), d.final());
    }
    const all = join(dir, 'range.mp4');
    writeFileSync(all, Buffer.concat(parts));
    const g = gstDecode(all);
    expect(g.errors).toEqual([]);
    expect(g.videoCaps).toContain('width=(int)320, height=(int)240');
    expect(g.videoFrames).toBeGreaterThan(pl.segments.length * 10);
    expect(g.audioBuffers).toBeGreaterThan(0);
  }, 420_000);
});
