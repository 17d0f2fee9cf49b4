import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decryptSegment } from '../../../device/media/encrypt/encrypt-segment.ts';
import { run } from '../../../device/cli/segment-command.ts';
import { decodedVideo, ffmpegWarnings, fpsOf, playlistCodecs } from '../../fixtures/playlist-judges.ts';
import { FFMPEG, FFPROBE, makeStream, requireFfmpeg, type StreamSpec } from '../../fixtures/h264-streams.ts';

const dir = mkdtempSync(join(tmpdir(), 'camrec-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command quietly (its summary line is checked in the CLI tests). */
async function segment(args: string[]): Promise<number> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await run(args);
  } finally {
    process.stdout.write = write;
  }
}

function extinfs(playlist: string): number[] {
  return [...readFileSync(playlist, 'utf8').matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
}

const CASES: Array<{ name: string; spec: StreamSpec; segmentSeconds: number }> = [
  {
    name: 'main-360p-25fps-audio48k',
    spec: { width: 640, height: 360, fps: '25', seconds: 5, gopFrames: 25, profile: 'main', audioHz: 48000, aud: true },
    segmentSeconds: 2,
  },
  {
    name: 'baseline-240p-30fps-3byte',
    spec: { width: 320, height: 240, fps: '30', seconds: 4, gopFrames: 30, profile: 'baseline', threeByteStartCodes: true },
    segmentSeconds: 2,
  },
  { name: 'high-720p-29.97-longgop', spec: { width: 1280, height: 720, fps: '30000/1001', seconds: 4, gopFrames: 90, profile: 'high' }, segmentSeconds: 1 },
  {
    name: 'high-176x144-15fps-audio44k',
    spec: { width: 176, height: 144, fps: '15', seconds: 5, gopFrames: 15, profile: 'high', audioHz: 44100 },
    segmentSeconds: 2,
  },
];

describe('camrec segment output plays cleanly in ffmpeg', () => {
  requireFfmpeg();
  for (const c of CASES) {
    it(`${c.name}: no ffmpeg warnings, all frames, durations within a frame per segment`, async () => {
      const { video, audio } = makeStream(dir, c.name, c.spec);
      const out = join(dir, `${c.name}-out`);
      const args = ['--video', video, '--out', out, '--segment-seconds', String(c.segmentSeconds)];
      if (audio) args.push('--audio', audio);
      expect(await segment(args)).toBe(0);
      const playlist = join(out, 'index.m3u8');
      expect(ffmpegWarnings(playlist)).toBe('');
      const fps = fpsOf(c.spec.fps);
      const inputFrames = Math.round(c.spec.seconds * fps);
      const decoded = decodedVideo(playlist);
      const infs = extinfs(playlist);
      expect(decoded.frames).toBe(inputFrames);
      // decoded span (first to last frame + one frame) vs the input duration
      expect(Math.abs(decoded.seconds + 1 / fps - inputFrames / fps)).toBeLessThanOrEqual(infs.length / fps);
      expect(Math.abs(infs.reduce((a, b) => a + b, 0) - inputFrames / fps)).toBeLessThanOrEqual(infs.length / fps);
      // segments start at IDRs: each segment (but the last) spans whole GOPs and is at least the target
      const gopSeconds = c.spec.gopFrames / fps;
      for (const d of infs.slice(0, -1)) {
        expect(d).toBeGreaterThanOrEqual(c.segmentSeconds - 1 / fps);
        expect(Math.abs(d / gopSeconds - Math.round(d / gopSeconds))).toBeLessThan(0.01);
      }
      if (audio) {
        expect(playlistCodecs(playlist)).toContain('aac');
      }
      // Every segment decrypts (node:crypto) to TS: 0x47 every 188 bytes.
      const key = readFileSync(join(out, 'key.bin'));
      const text = readFileSync(playlist, 'utf8');
      const ivs = [...text.matchAll(/IV=0x([0-9a-f]{32})/g)].map((m) => Buffer.from(m[1]!, 'hex'));
      const files = readdirSync(out)
        .filter((f) => f.endsWith('.ts'))
        .sort();
      expect(ivs).toHaveLength(files.length);
      files.forEach((f, i) => {
        const plain = decryptSegment(readFileSync(join(out, f)), key, ivs[i]!);
        expect(plain.byteLength % 188).toBe(0);
        for (let at = 0; at < plain.byteLength; at += 188) expect(plain[at]).toBe(0x47);
      });
    });
  }

  it('each segment decodes on its own', async () => {
    const { video } = makeStream(dir, 'alone', { width: 320, height: 240, fps: '25', seconds: 3, gopFrames: 25, profile: 'main' });
    const out = join(dir, 'alone-out');
    expect(await segment(['--video', video, '--out', out, '--segment-seconds', '1', '--no-encrypt'])).toBe(0);
    const files = readdirSync(out)
      .filter((f) => f.endsWith('.ts'))
      .sort();
    expect(files).toHaveLength(3);
    for (const f of files) {
      const r = spawnSync(FFMPEG, ['-v', 'warning', '-i', join(out, f), '-f', 'null', '-'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const frames = execFileSync(FFPROBE, ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', join(out, f)], {
        encoding: 'utf8',
      });
      for (const n of frames.match(/\d+/g)!.map(Number)) expect(n).toBe(25);
    }
  });
});
