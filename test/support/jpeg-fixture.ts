import { execFileSync } from 'node:child_process';

/** A real JPEG from Debian's ffmpeg (a test pattern), `width` x `height`. */
export function makeJpeg(width = 320, height = 240, pattern = 'testsrc'): Buffer {
  return execFileSync(
    '/usr/bin/ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `${pattern}=size=${width}x${height}:rate=1`,
      '-frames:v',
      '1',
      '-c:v',
      'mjpeg',
      '-q:v',
      '5',
      '-f',
      'image2pipe',
      'pipe:1',
    ],
    { maxBuffer: 8 * 1024 * 1024 },
  );
}
