import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { segmentFiles } from '../../../device/media/file/segment-files.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';

const run = promisify(execFile);
export const FFMPEG = '/usr/bin/ffmpeg';
export const FFPROBE = '/usr/bin/ffprobe';

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

/** What ffprobe says of the first video stream of a file or URL decoded to the end (-count_frames). */
export interface CountedVideo {
  /** Pictures decoded (nb_read_frames). */
  frames: number;
  codec_name: string;
  width: number;
  height: number;
}

/** ffprobe decodes the first video stream of a file or URL to the end: its pictures, codec and size. */
export async function countVideoFrames(input: string): Promise<CountedVideo> {
  const { stdout } = await run(FFPROBE, [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames,codec_name,width,height',
    '-of',
    'json',
    input,
  ]);
  const s = (JSON.parse(stdout) as { streams: { nb_read_frames: string; codec_name: string; width: number; height: number }[] }).streams[0]!;
  return { frames: Number(s.nb_read_frames), codec_name: s.codec_name, width: s.width, height: s.height };
}
