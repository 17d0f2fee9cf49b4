import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { segmentFiles } from '../../../device/media/file/segment-files.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { FFMPEG } from '../../fixtures/h264-streams.ts';

export { FFMPEG, FFPROBE } from '../../fixtures/h264-streams.ts';

const run = promisify(execFile);

/**
 * Real segments from the media core: ffmpeg draws a tiny test card (128x96, 10 fps, an
 * IDR every second) with a sine tone, and the device's segmenter (`camrec segment`'s
 * engine) cuts it into 1-second MPEG-TS segments.
 */
export async function makeMediaSegments(o: {
  seconds: number;
  epochMs: number;
  codec?: 'h264' | 'hevc';
  container?: 'ts' | 'fmp4';
  audio?: boolean;
  size?: string;
  fps?: number;
}): Promise<MediaSegment[]> {
  const withAudio = o.audio ?? true;
  const fps = o.fps ?? 10;
  const dir = await mkdtemp(join(tmpdir(), 'camrec-fixture-'));
  try {
    const hevc = o.codec === 'hevc';
    const video = join(dir, hevc ? 'v.h265' : 'v.h264');
    const audio = join(dir, 'a.aac');
    const encoder = hevc
      ? [
          '-c:v',
          'libx265',
          '-preset',
          'ultrafast',
          '-x265-params',
          'keyint=10:min-keyint=10:scenecut=0:bframes=0:log-level=error',
          '-pix_fmt',
          'yuv420p',
          '-f',
          'hevc',
          video,
        ]
      : [
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-bf',
          '0',
          '-g',
          String(fps),
          '-keyint_min',
          String(fps),
          '-sc_threshold',
          '0',
          '-pix_fmt',
          'yuv420p',
          '-f',
          'h264',
          video,
        ];
    await run(FFMPEG, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-t',
      String(o.seconds),
      '-i',
      `testsrc2=size=${o.size ?? '128x96'}:rate=${fps}`,
      '-f',
      'lavfi',
      '-t',
      String(o.seconds),
      '-i',
      'sine=frequency=440:sample_rate=22050',
      '-map',
      '0:v',
      ...encoder,
      ...(withAudio ? ['-map', '1:a', '-c:a', 'aac', '-b:a', '32k', '-f', 'adts', audio] : []),
    ]);
    const out: MediaSegment[] = [];
    await segmentFiles({
      videoPath: video,
      ...(withAudio ? { audioPath: audio } : {}),
      segmentSeconds: 1,
      fps,
      epochMs: o.epochMs,
      ...(o.container ? { container: o.container } : {}),
      onSegment: (s) => void out.push(s),
    });
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function ffmpegRun(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(FFMPEG, args, { maxBuffer: 64 * 1024 * 1024 });
}
