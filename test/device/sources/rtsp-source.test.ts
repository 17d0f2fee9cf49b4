import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegRtspArgs, findFfmpeg, redact, RtspSource } from '../../../device/sources/rtsp-source.ts';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';

describe('RtspSource (ffmpeg child, -c copy)', () => {
  let dir: string;
  let clip: string;
  beforeAll(() => {
    expect(findFfmpeg(), 'ffmpeg must be installed at /usr/bin/ffmpeg for this test').toBeDefined();
    dir = mkdtempSync(join(tmpdir(), 'camrec-rtsp-'));
    clip = join(dir, 'cam.mp4');
    execFileSync('/usr/bin/ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=3', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25', '-bf', '0', '-c:a', 'aac', '-shortest', clip,
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies without transcoding: Annex-B video to stdout, ADTS audio to fd 3', () => {
    const args = ffmpegRtspArgs('rtsp://cam.local/stream1', true);
    expect(args).toEqual(expect.arrayContaining(['-rtsp_transport', 'tcp', '-c:v', 'copy', 'h264_mp4toannexb', '-c:a', 'copy', 'pipe:3']));
    expect(args).not.toContain('libx264');
    expect(redact('rtsp://admin:secret@10.0.0.2/s')).toBe('rtsp://admin:***@10.0.0.2/s');
  });

  it('feeds the segmenter video and audio from the ffmpeg child; its exit is counted and it restarts', async () => {
    const segments: MediaSegment[] = [];
    const errors: Error[] = [];
    const seg = new LiveSegmenter({ targetSegmentSeconds: 1, audio: true, onSegment: (s) => segments.push(s) });
    let cuts = 0;
    const src = new RtspSource(
      {
        pushVideo: (c) => seg.pushVideo(c),
        pushAudio: (c) => seg.pushAudio(c),
        putVideoFrame: () => {},
        putAudioFrame: () => {},
        cutSegment: () => {
          cuts++;
          seg.closeSegment();
        },
        noteSourceError: (e) => errors.push(e),
      },
      { url: clip, audio: true, stallMs: 5000 },
    );
    src.start();
    const deadline = Date.now() + 15_000;
    while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await src.stop();
    expect(errors[0]?.message).toMatch(/ffmpeg .* exited .*restarting/);
    expect(cuts).toBeGreaterThanOrEqual(1);
    expect(segments.length).toBeGreaterThanOrEqual(2);
    expect(segments.some((s) => s.hasAudio && /mp4a\.40\.2/.test(s.codecs))).toBe(true);
    expect(segments[0]!.width).toBe(320);
  });
});
