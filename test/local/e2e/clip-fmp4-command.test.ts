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
import { parseMediaPlaylist } from '../../support/hls-text.ts';
import { AVC_CAMERA as AVC, HEVC_CAMERA as HEVC, onDemandWith, startFmp4Cameras } from '../../support/fmp4-cameras.ts';
import type { LocalStackProcess } from '../../support/local-stack-process.ts';

const run = promisify(execFile);
const CAMREC = fileURLToPath(new URL('../../../bin/camrec.js', import.meta.url));

let dir: string;
let stack: LocalStackProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camrec-e2e-clip-fmp4-'));
  stack = await startFmp4Cameras(dir, { avcSize: '192x108', hevcSize: '192x108', hevcAudio: true });
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
  return parseMediaPlaylist((await onDemandWith(stack, camera, packed, hot)).text).segments;
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
