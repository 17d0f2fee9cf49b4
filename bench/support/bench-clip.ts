import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
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

/**
 * A raw Annex-B clip of at least `minBytes`, made fast: `unitSeconds` are encoded once (kept
 * beside `file` as `file.unit`), then the bitstream is concatenated to itself until it is
 * large enough. Each copy starts with its parameter sets and an IDR picture, so the joined
 * stream decodes as one (ffmpeg and camrec time it by frame rate). For an encoder that is too
 * slow to run for a whole bench input (libx265 ultrafast at 1080p: a few frames a second on a
 * shared core). An existing `file` of `minBytes` or more is kept.
 */
export function loopedClip(o: { file: string; minBytes: number; unitSeconds: number; fps?: number; encoder: readonly string[]; format: string }): void {
  if (existsSync(o.file) && statSync(o.file).size >= o.minBytes) return;
  mkdirSync(dirname(o.file), { recursive: true });
  const unit = `${o.file}.unit`;
  if (!existsSync(unit) || statSync(unit).size === 0) {
    process.stderr.write(`bench: encoding ${o.unitSeconds} s of 1080p into ${unit} (once; looped to size) ...\n`);
    generateTestClip({ file: `${unit}.part`, seconds: o.unitSeconds, fps: o.fps, encoder: o.encoder, format: o.format });
    renameSync(`${unit}.part`, unit);
  }
  const bytes = readFileSync(unit);
  const copies = Math.ceil(o.minBytes / bytes.byteLength);
  process.stderr.write(`bench: ${o.file}: ${copies} copies of ${unit} (${(bytes.byteLength / 1e6).toFixed(1)} MB)\n`);
  const part = `${o.file}.part`;
  rmSync(part, { force: true });
  for (let i = 0; i < copies; i++) appendFileSync(part, bytes);
  renameSync(part, o.file);
}
