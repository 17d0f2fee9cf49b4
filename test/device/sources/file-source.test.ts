import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AnnexBSplitter } from '../../../media/bitstream/annexb-splitter.ts';
import { FILE_SOURCE_PACE_MS, FileSource } from '../../../device/sources/file-source.ts';
import { makeStream } from '../../fixtures/h264-streams.ts';
import { mediaInput } from '../../support/media-input.ts';
import { until } from '../../support/until.ts';

describe('FileSource', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-file-src-'));
    // 0.4 s (10 frames at 25 fps, one IDR) of H.264 with 48 kHz AAC beside it: v.h264, v.aac.
    makeStream(dir, 'v', { width: 160, height: 120, fps: '25', seconds: 0.4, gopFrames: 250, profile: 'high', audioHz: 48000 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plays frames in real time with capture times n/fps, audio by sample time, and loops on', async () => {
    const video: number[] = [];
    const arrivals: number[] = [];
    const audio: number[] = [];
    const src = new FileSource(
      mediaInput({
        putVideoFrame: (_f, t) => {
          video.push(t!);
          arrivals.push(Date.now());
        },
        putAudioFrame: (_f, t) => void audio.push(t!),
      }),
      { videoPath: join(dir, 'v.h264'), audioPath: join(dir, 'v.aac'), fps: 25, loop: true },
    );
    const t0 = Date.now();
    src.start();
    // 15 frames: past the clip's end at 10 frames (0.4 s), so the loop is crossed. Waits on the
    // frames themselves (not a fixed time), so a loaded machine only makes it slower.
    while (video.length < 15) await new Promise((r) => setTimeout(r, 10));
    await src.stop();
    // Paced in real time, not all at once: frame n is never handed over before its time
    // (a wait of 1 ms or less is not slept), so the 15th comes 560 ms or more after the start.
    for (let n = 0; n < video.length; n++) expect(arrivals[n]!).toBeGreaterThanOrEqual(video[n]! - 1);
    expect(arrivals[14]! - t0).toBeGreaterThanOrEqual(14 * 40 - 1);
    const steps = video.slice(1).map((t, i) => t - video[i]!);
    for (const s of steps) expect(s).toBeCloseTo(40, 2); // continues across the loop at 0.4 s
    // The time line starts when the source starts.
    expect(video[0]!).toBeGreaterThanOrEqual(t0);
    expect(video[0]!).toBeLessThanOrEqual(arrivals[0]!);
    expect(audio.length).toBeGreaterThan(10);
    expect(audio[1]! - audio[0]!).toBeCloseTo((1024 / 48000) * 1000, 2);
  });

  it('stop() ends a wait for the next frame at once (no frame after it)', async () => {
    const video: number[] = [];
    const src = new FileSource(
      mediaInput({
        putVideoFrame: (_f, t) => void video.push(t!),
      }),
      { videoPath: join(dir, 'v.h264'), fps: 0.1, loop: false }, // the next frame is due 10 s after the first
    );
    src.start();
    while (video.length < 1) await new Promise((r) => setTimeout(r, 10));
    const t = Date.now();
    await src.stop();
    expect(Date.now() - t).toBeLessThan(5000);
    await src.finished;
    expect(video).toHaveLength(1);
  });

  it('without fps: a 30 fps clip is timed by the frame rate in its SPS', async () => {
    makeStream(dir, 'v30', { width: 160, height: 120, fps: '30', seconds: 0.5, gopFrames: 250, profile: 'high' });
    const video: number[] = [];
    const src = new FileSource(
      mediaInput({
        putVideoFrame: (_f, t) => void video.push(t!),
      }),
      { videoPath: join(dir, 'v30.h264'), loop: false },
    );
    src.start();
    await src.finished;
    expect(video).toHaveLength(15);
    for (const [i, t] of video.entries()) expect(t - video[0]!).toBeCloseTo((i * 1000) / 30, 3);
  });

  it('looping: audio never overlaps the next pass (an audio file 32 ms longer than the video is trimmed at each end)', async () => {
    // 0.4 s of video, 0.432 s of audio (the sample's 939 frames for 20 s of video do the same).
    execFileSync('/usr/bin/ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000:duration=0.432',
      '-c:a',
      'aac',
      '-f',
      'adts',
      join(dir, 'long.aac'),
    ]);
    const audio: Array<{ at: number; end: number }> = [];
    const src = new FileSource(
      mediaInput({
        putAudioFrame: (f, t) => void audio.push({ at: t!, end: t! + ((((f[6]! & 3) + 1) * 1024) / 48000) * 1000 }),
      }),
      { videoPath: join(dir, 'v.h264'), audioPath: join(dir, 'long.aac'), fps: 25, loop: true },
    );
    src.start();
    await until('two loops and a half of audio (about 20 frames a pass)', () => audio.length >= 50, 60_000);
    await src.stop();
    expect(audio.length).toBeGreaterThan(30);
    for (let i = 1; i < audio.length; i++) expect(audio[i]!.at, `audio frame ${i}`).toBeGreaterThanOrEqual(audio[i - 1]!.end - 1e-6);
  });

  it("hands over the file's access units byte for byte, the frames due within one pace together (one timer per pace, not per frame)", async () => {
    const frames: Uint8Array[] = [];
    const timers = vi.spyOn(globalThis, 'setTimeout');
    let sourceTimers: number;
    try {
      const src = new FileSource(
        mediaInput({
          putVideoFrame: (f) => void frames.push(Uint8Array.from(f)),
        }),
        { videoPath: join(dir, 'v.h264'), fps: 25, loop: true },
      );
      src.start();
      // 30 frames: three passes of the 10-frame clip, 1.2 s at 25 fps.
      while (frames.length < 30) await new Promise((r) => setTimeout(r, 10));
      await src.stop();
      // The source's waits for frames (this test's own polls are 10 ms).
      sourceTimers = timers.mock.calls.filter(([, ms]) => typeof ms === 'number' && ms > 10).length;
    } finally {
      timers.mockRestore();
    }
    // 1.2 s of frames every 40 ms: one timer per frame would be 30; one per pace is about 12.
    expect(sourceTimers).toBeLessThanOrEqual(Math.ceil((30 * 40) / FILE_SOURCE_PACE_MS) + 2);
    const nals = (chunks: Uint8Array[]) => {
      const out: string[] = [];
      const s = new AnnexBSplitter((e) => out.push(Buffer.from(e.nal).toString('hex')));
      for (const c of chunks) {
        s.push(c);
        s.flush();
      }
      return out;
    };
    const file = nals([readFileSync(join(dir, 'v.h264'))]);
    expect(nals(frames.slice(0, 10))).toEqual(file);
    expect(nals(frames.slice(10, 20))).toEqual(file);
  });
  it('an input with putVideoNals gets each access unit as the NAL units the source split (no Annex-B frame to split again), timed n/fps', async () => {
    const units: { nals: string[]; t: number }[] = [];
    let annexBFrames = 0;
    const src = new FileSource(
      mediaInput({
        putVideoFrame: () => void annexBFrames++,
        putVideoNals: (nals, t) => void units.push({ nals: nals.map((n) => Buffer.from(n).toString('hex')), t: t! }),
      }),
      { videoPath: join(dir, 'v.h264'), fps: 25, loop: true },
    );
    src.start();
    // Two passes of the 10-frame clip.
    while (units.length < 20) await new Promise((r) => setTimeout(r, 10));
    await src.stop();
    expect(annexBFrames).toBe(0);
    const file: string[] = [];
    const s = new AnnexBSplitter((e) => file.push(Buffer.from(e.nal).toString('hex')));
    s.push(readFileSync(join(dir, 'v.h264')));
    s.flush();
    expect(units.slice(0, 10).flatMap((u) => u.nals)).toEqual(file);
    expect(units.slice(10, 20).flatMap((u) => u.nals)).toEqual(file);
    // Each unit at its own frame time, 40 ms after the one before (across the loop too).
    for (let i = 1; i < 20; i++) expect(units[i]!.t - units[i - 1]!.t).toBeCloseTo(40, 6);
  });
});
