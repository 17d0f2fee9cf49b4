/**
 * `npm run bench:segment`: segments a >= 100 MB 1080p H.264 stream with AES-128 and
 * compares camrec with ffmpeg's HLS muxer (-c copy, -hls_key_info_file) on the same input,
 * in the same run. Prints MB/s for both, the ratio, and camrec's peak RSS.
 * Input is generated once into bench/out/ (git-ignored) (not in git); set BENCH_MB to change its size.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'bench', 'out');
const INPUT = join(DIR, 'bench-1080p.h264');
const TARGET_MB = Number(process.env.BENCH_MB ?? 110);

function makeInput(): void {
  if (existsSync(INPUT) && statSync(INPUT).size >= TARGET_MB * 1e6) return;
  mkdirSync(DIR, { recursive: true });
  // ~25 Mbit/s 1080p25 with 2 s GOPs: ~3.1 MB/s of stream, so TARGET_MB needs ~TARGET_MB/3 s.
  const seconds = Math.ceil(TARGET_MB / 3);
  process.stderr.write(`bench: generating ${seconds} s of 1080p25 H.264 into ${INPUT} ...\n`);
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-t', String(seconds), '-i', 'testsrc2=size=1920x1080:rate=25',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
    '-b:v', '26M', '-minrate', '26M', '-maxrate', '26M', '-bufsize', '26M', '-x264-params', 'nal-hrd=cbr',
    '-f', 'h264', INPUT,
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
}

function dirBytes(d: string): number {
  return readdirSync(d).reduce((n, f) => n + statSync(join(d, f)).size, 0);
}

function runCamrec(out: string): { seconds: number; peakRssMb: number; line: string } {
  rmSync(out, { recursive: true, force: true });
  const key = randomBytes(16).toString('hex');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', process.execPath, join(ROOT, 'bin', 'camrec.js'), 'segment', '--video', INPUT, '--out', out, '--key', key], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`camrec segment failed: ${r.stderr}`);
  const rss = Number(/PEAK_RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { seconds, peakRssMb: rss / 1024, line: r.stdout.trim() };
}

function runFfmpeg(out: string): number {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const keyFile = join(out, 'key.bin');
  writeFileSync(keyFile, randomBytes(16));
  const info = join(out, 'key.info');
  writeFileSync(info, `key.bin\n${keyFile}\n${randomBytes(16).toString('hex')}\n`);
  const t0 = process.hrtime.bigint();
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'h264', '-i', INPUT, '-c', 'copy', '-f', 'hls', '-hls_time', '6', '-hls_list_size', '0',
    '-hls_key_info_file', info, '-hls_segment_filename', join(out, 'seg-%05d.ts'), join(out, 'index.m3u8')]);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

makeInput();
const inputMb = statSync(INPUT).size / 1e6;
// Warm the page cache so both read from memory.
execFileSync('cat', [INPUT], { maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'ignore'] });
const cam = runCamrec(join(DIR, 'camrec-out'));
const ffSeconds = runFfmpeg(join(DIR, 'ffmpeg-out'));
const camMbS = inputMb / cam.seconds;
const ffMbS = inputMb / ffSeconds;
console.log(`input: ${INPUT} (${inputMb.toFixed(1)} MB, 1920x1080 25 fps, 2 s GOP), AES-128, 6 s segments`);
console.log(`camrec segment : ${cam.seconds.toFixed(2)} s wall (incl. process start), ${camMbS.toFixed(1)} MB/s, peak RSS ${cam.peakRssMb.toFixed(0)} MB, output ${(dirBytes(join(DIR, 'camrec-out')) / 1e6).toFixed(1)} MB`);
console.log(`  ${cam.line}`);
console.log(`ffmpeg -c copy -f hls -hls_key_info_file: ${ffSeconds.toFixed(2)} s wall, ${ffMbS.toFixed(1)} MB/s, output ${(dirBytes(join(DIR, 'ffmpeg-out')) / 1e6).toFixed(1)} MB`);
const camInnerMbS = Number(/([\d.]+) MB\/s/.exec(cam.line)?.[1] ?? NaN);
console.log(`ratio camrec/ffmpeg, wall clock incl. process start (tsx loads TypeScript): ${(camMbS / ffMbS).toFixed(2)}x`);
console.log(`ratio camrec/ffmpeg, camrec's own timing (read+mux+encrypt+write, after start-up): ${(camInnerMbS / ffMbS).toFixed(2)}x`);
