/**
 * `npm run bench:fmp4`: fMP4 HLS from a >= 100 MB 1080p H.265 stream and the same for
 * H.264, camrec's in-process path (bench/fmp4/mux-file-to-fmp4.ts: read, split, access
 * units, fMP4 mux, AES-128, write) beside ffmpeg's HLS muxer with fMP4 segments on the
 * same input, in the same run:
 *
 *   ffmpeg -f hevc|h264 -r 25 -i IN -c copy -f hls -hls_time 6 -hls_segment_type fmp4 ...
 *
 * ffmpeg 5.1 refuses AES-128 with fMP4 segments ("Encrypted fmp4 not yet supported"):
 * the bench shows that refusal, then times ffmpeg without encryption, and camrec both with
 * AES-128 (ffmpeg does less work) and without (the same work). Each is run BENCH_RUNS (5)
 * times, interleaved; best and median are printed. Inputs are generated once into
 * bench/out/ (git-ignored); BENCH_MB sets their size.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { decryptSegment } from '../device/media/encrypt/encrypt-segment.ts';
import { muxFileToFmp4 } from './fmp4/mux-file-to-fmp4.ts';
import { generateTestClip, loopedClip, x264Args } from './support/bench-clip.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'bench', 'out');
const TARGET_MB = Number(process.env.BENCH_MB ?? 110);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const FPS = 25;
const SEGMENT_SECONDS = 6;

interface Input {
  codec: 'hevc' | 'h264';
  file: string;
}
const INPUTS: Input[] = [
  { codec: 'hevc', file: join(DIR, 'bench-1080p.h265') },
  { codec: 'h264', file: join(DIR, 'bench-1080p.h264') },
];

/**
 * ~26 Mbit/s 1080p25, 2 s GOPs, no B-frames (as bench:segment's H.264 input): TARGET_MB needs
 * ~TARGET_MB/3 s. H.264 is encoded whole (bench:segment makes the same file); H.265 is
 * HEVC_UNIT_SECONDS encoded once and looped to size (libx265 at 1080p is too slow to encode
 * ~37 s here), so its pictures repeat every HEVC_UNIT_SECONDS: the muxer's work is the same.
 */
const HEVC_UNIT_SECONDS = 8;
function makeInput({ codec, file }: Input): void {
  if (existsSync(file) && statSync(file).size >= TARGET_MB * 1e6) return;
  mkdirSync(DIR, { recursive: true });
  if (codec === 'hevc') {
    const x265 = 'keyint=50:min-keyint=50:scenecut=0:bframes=0:vbv-maxrate=26000:vbv-bufsize=26000:log-level=error';
    const encoder = ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', x265, '-b:v', '26M'];
    loopedClip({ file, minBytes: TARGET_MB * 1e6, unitSeconds: HEVC_UNIT_SECONDS, fps: FPS, encoder, format: 'hevc' });
    return;
  }
  const seconds = Math.ceil(TARGET_MB / 3);
  process.stderr.write(`bench: generating ${seconds} s of 1080p25 ${codec} into ${file} ...\n`);
  generateTestClip({ file, seconds, fps: FPS, encoder: x264Args(26_000, { cbr: true }), format: codec });
}

function ffmpegArgs(input: Input, out: string, extra: string[] = []): string[] {
  return [
    '-v',
    'error',
    '-y',
    '-f',
    input.codec,
    '-r',
    String(FPS),
    '-i',
    input.file,
    '-c',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    String(SEGMENT_SECONDS),
    '-hls_list_size',
    '0',
    '-hls_segment_type',
    'fmp4',
    ...extra,
    '-hls_segment_filename',
    join(out, 'seg-%05d.m4s'),
    join(out, 'index.m3u8'),
  ];
}

function runFfmpeg(input: Input, out: string): number {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const t0 = process.hrtime.bigint();
  execFileSync('ffmpeg', ffmpegArgs(input, out));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** ffmpeg's answer to AES-128 with fMP4 segments (5.1 refuses). */
function ffmpegWithKey(input: Input, out: string): string {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'key.bin'), randomBytes(16));
  writeFileSync(join(out, 'key.info'), `key.bin\n${join(out, 'key.bin')}\n${randomBytes(16).toString('hex')}\n`);
  const r = spawnSync('ffmpeg', ffmpegArgs(input, out, ['-hls_key_info_file', join(out, 'key.info')]), { encoding: 'utf8' });
  return r.status === 0 ? 'ok' : `exit ${r.status}: ${r.stderr.trim().split('\n')[0]}`;
}

function runCamrec(input: Input, out: string, encrypt: boolean): { seconds: number; segments: number; outputBytes: number } {
  rmSync(out, { recursive: true, force: true });
  const t0 = process.hrtime.bigint();
  const r = muxFileToFmp4(input.file, out, input.codec, { segmentSeconds: SEGMENT_SECONDS, fps: FPS, encrypt });
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, segments: r.segments, outputBytes: r.outputBytes };
}

/** The output is real: ffmpeg decodes init + the first segment (decrypted) without a word. */
function checkCamrecOutput(out: string): void {
  const text = readFileSync(join(out, 'index.m3u8'), 'utf8');
  const iv = Buffer.from(/IV=0x([0-9a-f]{32})/.exec(text)![1]!, 'hex');
  const first = decryptSegment(readFileSync(join(out, 'seg-00000.m4s')), readFileSync(join(out, 'key.bin')), iv);
  const probe = join(out, 'first.mp4');
  writeFileSync(probe, Buffer.concat([readFileSync(join(out, 'init.mp4')), first]));
  const r = spawnSync('ffmpeg', ['-v', 'warning', '-i', probe, '-f', 'null', '-'], { encoding: 'utf8' });
  if (r.status !== 0 || r.stderr.trim()) throw new Error(`camrec's first fMP4 segment does not decode cleanly: ${r.stderr}`);
  rmSync(probe);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
const dirMb = (d: string): number => readdirSync(d).reduce((n, f) => n + statSync(join(d, f)).size, 0) / 1e6;

for (const input of INPUTS) makeInput(input);
console.log(
  `fMP4 HLS, 6 s segments, ${RUNS} runs each, interleaved; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${availableParallelism()} cores`,
);
for (const input of INPUTS) {
  execFileSync('cat', [input.file], { stdio: ['ignore', 'ignore', 'ignore'] }); // page cache
  const mb = statSync(input.file).size / 1e6;
  const camOut = join(DIR, `fmp4-camrec-${input.codec}`);
  const ffOut = join(DIR, `fmp4-ffmpeg-${input.codec}`);
  const cam: number[] = [];
  const clear: number[] = [];
  const ff: number[] = [];
  let last = { segments: 0, outputBytes: 0 };
  for (let i = 0; i < RUNS; i++) {
    clear.push(mb / runCamrec(input, `${camOut}-clear`, false).seconds);
    ff.push(mb / runFfmpeg(input, ffOut));
    const c = runCamrec(input, camOut, true);
    cam.push(mb / c.seconds);
    last = c;
  }
  checkCamrecOutput(camOut);
  const keyed = ffmpegWithKey(input, join(DIR, `fmp4-ffmpeg-key-${input.codec}`));
  console.log(`\n${input.codec === 'hevc' ? 'H.265' : 'H.264'} input: ${input.file} (${f1(mb)} MB, 1920x1080 25 fps, 2 s GOP)`);
  console.log(
    `camrec in-process (read + split + access units + fMP4 mux + AES-128 + write): best ${f1(Math.max(...cam))} MB/s, median ${f1(median(cam))} MB/s  [${cam.map(f1).join(', ')}]; ${last.segments} segments, ${f1(last.outputBytes / 1e6)} MB`,
  );
  console.log(`ffmpeg -c copy -f hls -hls_segment_type fmp4 with -hls_key_info_file (AES-128): ${keyed}`);
  console.log(
    `ffmpeg -c copy -f hls -hls_segment_type fmp4 (no encryption), whole process: best ${f1(Math.max(...ff))} MB/s, median ${f1(median(ff))} MB/s  [${ff.map(f1).join(', ')}]; output ${f1(dirMb(ffOut))} MB`,
  );
  console.log(
    `camrec in-process without AES-128 (the work ffmpeg does): best ${f1(Math.max(...clear))} MB/s, median ${f1(median(clear))} MB/s  [${clear.map(f1).join(', ')}]`,
  );
  console.log(
    `ratio camrec / ffmpeg, camrec with AES-128: best ${f2(Math.max(...cam) / Math.max(...ff))}x, median ${f2(median(cam) / median(ff))}x; both without: best ${f2(Math.max(...clear) / Math.max(...ff))}x, median ${f2(median(clear) / median(ff))}x`,
  );
}
