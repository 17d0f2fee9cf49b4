import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { signedFetch } from '../../local/auth/signed-fetch.ts';
import { FFMPEG } from '../lambda/support/fixture-media.ts';
import { startLocalStackProcess, type LocalStackProcess } from './local-stack-process.ts';
import { until } from './until.ts';

const run = promisify(execFile);

/** The two cameras of `startFmp4Cameras`. */
export const AVC_CAMERA = 'cam-avc';
export const HEVC_CAMERA = 'cam-hevc';

/** Seconds of each looping source file. */
const LOOP_SECONDS = 20;

export interface Fmp4CamerasOptions {
  /** Test card size of the H.264 camera, e.g. '320x240'. */
  readonly avcSize: string;
  /** Test card size of the H.265 camera. */
  readonly hevcSize: string;
  /** A 440 Hz AAC tone beside the H.265 camera. @default false */
  readonly hevcAudio?: boolean;
}

/** A test card (testsrc2, 25 fps), a key frame every second, no B-frames (raw files are timed by the frame rate), as raw H.264 or H.265. */
async function encodeTestCard(codec: 'h264' | 'hevc', size: string, out: string): Promise<void> {
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
    `testsrc2=size=${size}:rate=25`,
    '-t',
    String(LOOP_SECONDS),
    ...enc.slice(0, -2),
    '-pix_fmt',
    'yuv420p',
    ...enc.slice(-2),
    out,
  ]);
}

async function encodeTone(out: string): Promise<void> {
  await run(FFMPEG, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(LOOP_SECONDS),
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-f',
    'adts',
    out,
  ]);
}

/**
 * `camrec local` (as a user runs it) with two looping fMP4 cameras: `cam-avc`, H.264 with
 * `--container fmp4`, and `cam-hevc`, H.265 (fMP4 by default); history is packed after
 * 40 s. The source files are written into `dir`, which is also the data dir.
 */
export async function startFmp4Cameras(dir: string, o: Fmp4CamerasOptions): Promise<LocalStackProcess> {
  const avc = join(dir, 'avc.h264');
  const hevc = join(dir, 'hevc.h265');
  const tone = join(dir, 'tone.aac');
  await Promise.all([encodeTestCard('h264', o.avcSize, avc), encodeTestCard('hevc', o.hevcSize, hevc), ...(o.hevcAudio ? [encodeTone(tone)] : [])]);
  return startLocalStackProcess(dir, [
    '--pack-after',
    '40s',
    '--camera',
    AVC_CAMERA,
    '--source',
    avc,
    '--loop',
    '--fps',
    '25',
    '--container',
    'fmp4',
    '--camera',
    HEVC_CAMERA,
    '--source',
    hevc,
    ...(o.hevcAudio ? ['--audio', tone] : []),
    '--loop',
    '--fps',
    '25',
  ]);
}

/** What POST /v1/cameras/{camera}/sessions answers. */
export interface SessionAnswer {
  playlistUrl: string;
  codecs?: string;
  container?: string;
  resolution?: { width: number; height: number };
}

/** Opens a playback session through the stack's signed API; fails the test unless it is created (201). */
export async function openSession(stack: LocalStackProcess, camera: string, body: object): Promise<SessionAnswer> {
  const res = await signedFetch(`${stack.info.apiUrl}/v1/cameras/${camera}/sessions`, {
    credentials: stack.info.credentials,
    region: stack.info.region,
    json: body,
  });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as SessionAnswer;
}

/** An ON_DEMAND session over the last ten minutes, once its playlist holds `packed` byte ranges and `hot` hot segments. */
export async function onDemandWith(stack: LocalStackProcess, camera: string, packed: number, hot: number): Promise<{ answer: SessionAnswer; text: string }> {
  let last = '';
  return until(
    `${camera}: an ON_DEMAND playlist with ${packed} packed and ${hot} hot segments`,
    async () => {
      const answer = await openSession(stack, camera, {
        mode: 'ON_DEMAND',
        start: new Date(Date.now() - 10 * 60_000).toISOString(),
        end: new Date().toISOString(),
      });
      const text = (last = await (await fetch(answer.playlistUrl)).text());
      const p = (text.match(/#EXT-X-BYTERANGE/g) ?? []).length;
      const h = (text.match(/^segments\/.*\.m4s$/gm) ?? []).length;
      return p >= packed && h >= hot && { answer, text };
    },
    { timeoutMs: 180_000, intervalMs: 1000, detail: () => last },
  );
}
