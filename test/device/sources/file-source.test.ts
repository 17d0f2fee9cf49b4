import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSource } from '../../../device/sources/file-source.ts';

describe('FileSource', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-file-src-'));
    execFileSync('/usr/bin/ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25:duration=0.4', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=0.4',
      '-map', '0:v', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-bf', '0', '-f', 'h264', join(dir, 'v.h264'),
      '-map', '1:a', '-c:a', 'aac', '-f', 'adts', join(dir, 'a.aac'),
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plays frames in real time with capture times n/fps, audio by sample time, and loops on', async () => {
    const video: number[] = [];
    const audio: number[] = [];
    const src = new FileSource(
      {
        putVideoFrame: (_f, t) => void video.push(t!),
        putAudioFrame: (_f, t) => void audio.push(t!),
        pushVideo: () => {}, pushAudio: () => {}, cutSegment: () => {}, noteSourceError: (e) => { throw e; },
      },
      { videoPath: join(dir, 'v.h264'), audioPath: join(dir, 'a.aac'), fps: 25, loop: true },
    );
    const t0 = Date.now();
    src.start();
    await new Promise((r) => setTimeout(r, 700));
    await src.stop();
    expect(video.length).toBeGreaterThanOrEqual(12); // ~0.7 s at 25 fps, paced, not all at once
    expect(video.length).toBeLessThanOrEqual(20);
    const steps = video.slice(1).map((t, i) => t - video[i]!);
    for (const s of steps) expect(s).toBeCloseTo(40, 2); // continues across the loop at 0.4 s
    expect(video[0]! - t0).toBeLessThan(100);
    expect(audio.length).toBeGreaterThan(10);
    expect(audio[1]! - audio[0]!).toBeCloseTo((1024 / 48000) * 1000, 2);
  });
});
