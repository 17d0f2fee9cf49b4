import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * libx264 as every bench input uses it: ultrafast, no B-frames, a key frame every 50
 * frames (2 s at 25 fps) and no scene cuts, the bitrate held at `kbps` by the VBV; `cbr`
 * adds a floor and nal-hrd CBR (the muxer benches' steady ~3.1 MB/s of stream).
 */
export function x264Args(kbps: number, o: { cbr?: boolean } = {}): string[] {
  const rate = `${kbps}k`;
  return [
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-b:v', rate],
    ...(o.cbr ? ['-minrate', rate] : []),
    ...['-maxrate', rate, '-bufsize', rate],
    ...(o.cbr ? ['-x264-params', 'nal-hrd=cbr'] : []),
  ];
}

/**
 * `seconds` of 1080p testsrc2 at `fps` through `encoder` into `file` (`format`: ffmpeg's
 * output format, e.g. `h264` for raw Annex-B; else from the file name). `noise` adds
 * moving grain, so the encoder spends its bitrate as on a camera's picture.
 */
export function generateTestClip(o: { file: string; seconds: number; fps?: number; noise?: boolean; encoder: readonly string[]; format?: string }): void {
  const input = ['-f', 'lavfi', '-t', String(o.seconds), '-i', `testsrc2=size=1920x1080:rate=${o.fps ?? 25}`];
  const grain = o.noise ? ['-vf', 'noise=alls=8:allf=t', '-pix_fmt', 'yuv420p'] : [];
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...input, ...grain, ...o.encoder, ...(o.format ? ['-f', o.format] : []), o.file], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/**
 * A camera-like 1080p25 H.264 clip (grain, a key frame every 2 s, `kbps`), generated once:
 * an existing `file` is kept. Returns `file`.
 */
export function cameraClip(file: string, seconds: number, kbps: number, format?: string): string {
  if (existsSync(file)) return file;
  mkdirSync(dirname(file), { recursive: true });
  process.stderr.write(`bench: generating ${seconds} s of 1080p25 at ${kbps} kbit/s into ${file} (once) ...\n`);
  generateTestClip({ file, seconds, noise: true, encoder: x264Args(kbps), format });
  return file;
}
