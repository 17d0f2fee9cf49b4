import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ClipManifestSchema } from '../../../contract/index.ts';
import { signedFetch } from '../../../local/auth/signed-fetch.ts';
import { probeClip } from '../../fixtures/clip-judges.ts';
import { FFMPEG } from '../../lambda/support/fixture-media.ts';
import { parseMediaPlaylist } from '../../support/hls-text.ts';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.ts';
import { until } from '../../support/until.ts';

const run = promisify(execFile);
const CAMREC = fileURLToPath(new URL('../../../bin/camrec.js', import.meta.url));
const HEVC = 'cam-hevc';
const AVC = 'cam-avc';

let dir: string;
let stack: LocalStackProcess;

/** 20 s of a small test card, a key frame every second, no B-frames (raw files are timed by the frame rate). */
async function encode(codec: 'hevc' | 'h264', out: string): Promise<void> {
  const enc =
    codec === 'hevc'
      ? ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'keyint=25:min-keyint=25:scenecut=0:bframes=0:log-level=error', '-f', 'hevc']
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-f', 'h264'];
  await run(FFMPEG, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=192x108:rate=25',
    '-t',
    '20',
    ...enc.slice(0, -2),
    '-pix_fmt',
    'yuv420p',
    ...enc.slice(-2),
    out,
  ]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camrec-e2e-clip-fmp4-'));
  const hevc = join(dir, 'hevc.h265');
  const avc = join(dir, 'avc.h264');
  const aac = join(dir, 'tone.aac');
  await Promise.all([
    encode('hevc', hevc),
    encode('h264', avc),
    run(FFMPEG, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      '20',
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      '-f',
      'adts',
      aac,
    ]),
  ]);
  stack = await startLocalStackProcess(dir, [
    '--pack-after',
    '40s',
    '--camera',
    HEVC,
    '--source',
    hevc,
    '--audio',
    aac,
    '--loop',
    '--fps',
    '25',
    '--camera',
    AVC,
    '--source',
    avc,
    '--loop',
    '--fps',
    '25',
    '--container',
    'fmp4',
  ]);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function api(method: string, path: string, json?: object): Promise<any> {
  const res = await signedFetch(`${stack.info.apiUrl}${path}`, {
    method,
    credentials: stack.info.credentials,
    region: stack.info.region,
    ...(json ? { json } : {}),
  });
  return res.json();
}

/** The segments of an ON_DEMAND playlist over the last ten minutes, once it holds `packed` byte ranges and `hot` hot segments. */
async function recorded(camera: string, packed: number, hot: number) {
  let last = '';
  return until(
    `${camera}: ${packed} packed and ${hot} hot segments`,
    async () => {
      const { playlistUrl } = await api('POST', `/v1/cameras/${camera}/sessions`, {
        mode: 'ON_DEMAND',
        start: new Date(Date.now() - 10 * 60_000).toISOString(),
        end: new Date().toISOString(),
      });
      last = await (await fetch(playlistUrl)).text();
      const p = (last.match(/#EXT-X-BYTERANGE/g) ?? []).length;
      const h = (last.match(/^segments\/.*\.m4s$/gm) ?? []).length;
      return p >= packed && h >= hot && parseMediaPlaylist(last).segments;
    },
    { timeoutMs: 180_000, intervalMs: 1000, detail: () => last },
  );
}

/** `camrec clip` over the playlist's whole range, as a user runs it; the file, its probe and the clip's manifest. */
async function clip(camera: string, segs: Awaited<ReturnType<typeof recorded>>) {
  const start = new Date(segs[0]!.programDateTimeMs!).toISOString();
  const lastSeg = segs.at(-1)!;
  const end = new Date(lastSeg.programDateTimeMs! + lastSeg.durationS * 1000).toISOString();
  const out = join(dir, `${camera}.mp4`);
  const { stdout, stderr } = await run(
    process.execPath,
    [CAMREC, 'clip', '--camera', camera, '--start', start, '--end', end, '--out', out, '--data-dir', dir],
    {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      timeout: 150_000,
    },
  );
  const clipId = /clip (\S+) sha256/.exec(stdout)![1]!;
  const answer = await api('GET', `/v1/cameras/${camera}/clips/${clipId}`);
  // The range asked for is whole segments here: the clip covers it exactly, and says so.
  expect(answer.covered).toMatchObject({ start, end });
  expect(stderr).toContain(`ready (${answer.sizeBytes} bytes, ${start} to ${end})`);
  return {
    probe: await probeClip(out),
    manifest: ClipManifestSchema.parse(answer.manifest),
    recordedS: segs.reduce((a, s) => a + s.durationS, 0),
    n: segs.length,
  };
}

describe('camrec clip of fMP4 cameras under camrec local', () => {
  test('H.265 camera (fMP4, with AAC), a range of packed and hot history: one hvc1 MP4, moov first, clean decode, the recorded length', async () => {
    const segs = await recorded(HEVC, 4, 2);
    const { probe, manifest, recordedS, n } = await clip(HEVC, segs);
    expect(probe.topBoxes.slice(0, 2)).toEqual(['ftyp', 'moov']);
    expect(probe.topBoxes.indexOf('moov')).toBeLessThan(probe.topBoxes.indexOf('mdat'));
    expect(probe.codecs).toEqual(['hevc', 'aac']);
    expect(probe.videoSize).toBe('192x108');
    expect(probe.decodeWarnings).toBe('');
    expect(Math.abs(probe.durationSeconds - recordedS)).toBeLessThanOrEqual(n * 0.04 + 0.05);
    expect(manifest.segments.some((s) => s.source.startsWith('packs/'))).toBe(true);
    expect(manifest.segments.some((s) => /^segments\/.+\.m4s$/.test(s.source))).toBe(true);
    expect(manifest.inits?.length).toBeGreaterThanOrEqual(1);
  }, 300_000);

  test('H.264 camera recording fMP4: one avc1 MP4, moov first, clean decode, the recorded length', async () => {
    const segs = await recorded(AVC, 0, 3);
    const { probe, recordedS, n } = await clip(AVC, segs);
    expect(probe.topBoxes.slice(0, 2)).toEqual(['ftyp', 'moov']);
    expect(probe.codecs).toEqual(['h264']);
    expect(probe.decodeWarnings).toBe('');
    expect(Math.abs(probe.durationSeconds - recordedS)).toBeLessThanOrEqual(n * 0.04 + 0.05);
  }, 300_000);
});
