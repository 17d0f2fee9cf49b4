/**
 * `npm run bench:clip`: a 10-minute 1080p25 clip (H.264 + AAC, 2 s camrec TS segments,
 * AES-128 as cameras upload them), exported by camrec's clip path (bench/clip/
 * export-segments.ts: read, decrypt, demux, remux into the moov-first fragmented MP4,
 * write) beside ffmpeg on the same range and the same encrypted segments:
 *
 *   ffmpeg -allowed_extensions ALL -i playlist.m3u8 -c copy -movflags +faststart clip.mp4
 *
 * Each runs in its own process under /usr/bin/time (peak memory = max RSS). camrec's
 * export is also run on the first 2.5 minutes: memory should stay flat as the clip grows.
 * The S3 reads and the multipart upload of the cloud export are left out of both (files
 * on local disk); BENCH_RUNS (3) runs each, the best is printed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encryptSegment } from '../device/media/encrypt/encrypt-segment.ts';
import { segmentFiles } from '../device/media/file/segment-files.ts';
import { generateTestClip, x264Args } from './support/bench-clip.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'bench', 'out', 'clip');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const MINUTES = 10;
const FPS = 25;

interface Seg {
  file: string;
  iv: string;
  startMs: number;
  durationMs: number;
  discSeq: number;
}

async function makeSegments(): Promise<{ key: string; segments: Seg[] }> {
  const listFile = join(DIR, 'segments.json');
  if (existsSync(listFile)) return JSON.parse(readFileSync(listFile, 'utf8'));
  mkdirSync(DIR, { recursive: true });
  const unit = join(DIR, 'unit.h264');
  const video = join(DIR, 'video.h264');
  const audio = join(DIR, 'audio.aac');
  process.stderr.write('making 30 s of 1080p25 H.264 (x264 ultrafast, ~8 Mbit/s, 2 s GOPs) and looping it to 10 min...\n');
  generateTestClip({ file: unit, seconds: 30, fps: FPS, encoder: x264Args(8000), format: 'h264' });
  const one = readFileSync(unit);
  writeFileSync(video, Buffer.concat(Array.from({ length: (MINUTES * 60) / 30 }, () => one)));
  execFileSync('/usr/bin/ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(MINUTES * 60),
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-f',
    'adts',
    audio,
  ]);
  const key = randomBytes(16);
  const segments: Seg[] = [];
  await segmentFiles({
    videoPath: video,
    audioPath: audio,
    segmentSeconds: 2,
    fps: FPS,
    epochMs: Date.UTC(2026, 11, 1, 10),
    onSegment: (s) => {
      const iv = randomBytes(16);
      const file = join(DIR, `seg-${String(segments.length).padStart(5, '0')}.ts`);
      writeFileSync(file, encryptSegment(s.bytes, key, iv));
      segments.push({ file, iv: iv.toString('hex'), startMs: s.startMs, durationMs: s.durationMs, discSeq: 1 });
    },
  });
  writeFileSync(join(DIR, 'key.bin'), key);
  const list = { key: key.toString('hex'), segments };
  writeFileSync(listFile, JSON.stringify(list));
  return list;
}

function playlist(segments: Seg[], name: string): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-MEDIA-SEQUENCE:0'];
  for (const s of segments) lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x${s.iv}`, `#EXTINF:${(s.durationMs / 1000).toFixed(3)},`, s.file);
  lines.push('#EXT-X-ENDLIST', '');
  const file = join(DIR, name);
  writeFileSync(file, lines.join('\n'));
  return file;
}

/** Runs a command under /usr/bin/time -v: wall seconds and max RSS (MB). */
function timed(cmd: string, args: string[]): { seconds: number; maxRssMb: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { seconds, maxRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN, stdout: r.stdout };
}

function best<T extends { seconds: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

const { key, segments } = await makeSegments();
const inputMb = segments.reduce((n, s) => n + statSync(s.file).size, 0) / 1e6;
const quarter = segments.slice(0, Math.ceil(segments.length / 4));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const runner = join(ROOT, 'bench', 'clip', 'export-segments.ts');
const listOf = (segs: Seg[], name: string) => {
  const f = join(DIR, name);
  writeFileSync(f, JSON.stringify({ key, segments: segs }));
  return f;
};
const fullList = listOf(segments, 'full.json');
const quarterList = listOf(quarter, 'quarter.json');
const fullPlaylist = playlist(segments, 'playlist.m3u8');
const camrecOut = join(DIR, 'camrec-clip.mp4');
const ffmpegOut = join(DIR, 'ffmpeg-clip.mp4');

// camrec's runner reports its own time (after tsx has loaded); the process's max RSS comes from /usr/bin/time.
const camrec: { seconds: number; maxRssMb: number }[] = [];
const camrecQuarter: { seconds: number; maxRssMb: number }[] = [];
const ffmpeg: { seconds: number; maxRssMb: number }[] = [];
for (let i = 0; i < RUNS; i++) {
  const c = timed(TSX, [runner, fullList, camrecOut]);
  camrec.push({ seconds: (JSON.parse(c.stdout) as { seconds: number }).seconds, maxRssMb: c.maxRssMb });
  const q = timed(TSX, [runner, quarterList, join(DIR, 'camrec-quarter.mp4')]);
  camrecQuarter.push({ seconds: (JSON.parse(q.stdout) as { seconds: number }).seconds, maxRssMb: q.maxRssMb });
  ffmpeg.push(
    timed('/usr/bin/ffmpeg', [
      '-v',
      'error',
      '-y',
      '-allowed_extensions',
      'ALL',
      '-i',
      fullPlaylist,
      '-map',
      '0',
      '-c',
      'copy',
      '-movflags',
      '+faststart',
      ffmpegOut,
    ]),
  );
}
const warn = spawnSync('/usr/bin/ffmpeg', ['-nostdin', '-v', 'warning', '-i', camrecOut, '-f', 'null', '-'], { encoding: 'utf8' }).stderr.trim();
const c = best(camrec);
const q = best(camrecQuarter);
const f = best(ffmpeg);
const row = (name: string, r: { seconds: number; maxRssMb: number }, mb: number) =>
  `${name.padEnd(44)} ${r.seconds.toFixed(2).padStart(7)} s ${(mb / r.seconds).toFixed(0).padStart(6)} MB/s ${r.maxRssMb.toFixed(0).padStart(6)} MB peak`;
console.log(`bench:clip  ${MINUTES} min 1080p25 H.264 + AAC, ${segments.length} AES-128 TS segments, ${inputMb.toFixed(0)} MB; best of ${RUNS}`);
console.log(row('camrec clip export (moov-first fMP4)', c, inputMb));
console.log(row(`camrec clip export, first ${MINUTES / 4} min`, q, inputMb / 4));
console.log(row('ffmpeg -c copy -movflags +faststart', f, inputMb));
console.log(
  `ratio: camrec ${(f.seconds / c.seconds).toFixed(2)}x ffmpeg's speed, ${(c.maxRssMb / f.maxRssMb).toFixed(2)}x its peak memory; camrec peak ${(c.maxRssMb / q.maxRssMb).toFixed(2)}x at 4x the length`,
);
console.log(
  `outputs: camrec ${(statSync(camrecOut).size / 1e6).toFixed(1)} MB, ffmpeg ${(statSync(ffmpegOut).size / 1e6).toFixed(1)} MB; ffmpeg -v warning on camrec's clip: ${warn ? warn.slice(0, 200) : 'nothing'}`,
);
if (process.env.BENCH_KEEP !== '1') rmSync(camrecOut, { force: true });
