import { expect } from 'vitest';
import { signedFetch } from '../../local/auth/signed-fetch.ts';
import { makeCodedStream } from '../fixtures/coded-streams.ts';
import { startLocalStackProcess, type LocalStackProcess } from './local-stack-process.ts';
import { until } from './until.ts';

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

/**
 * `camrec local` (as a user runs it) with two looping fMP4 cameras: `cam-avc`, H.264 with
 * `--container fmp4`, and `cam-hevc`, H.265 (fMP4 by default); history is packed after
 * 40 s. The source files are written into `dir`, which is also the data dir.
 */
export async function startFmp4Cameras(dir: string, o: Fmp4CamerasOptions): Promise<LocalStackProcess> {
  // Test cards (testsrc2, 25 fps), a key frame every second, no B-frames (raw files are timed by the frame rate).
  const card = (codec: 'h264' | 'hevc', size: string, audioHz?: number) => {
    const [width, height] = size.split('x').map(Number) as [number, number];
    return makeCodedStream(dir, codec === 'hevc' ? 'hevc' : 'avc', {
      codec,
      width,
      height,
      fps: '25',
      seconds: LOOP_SECONDS,
      gopFrames: 25,
      bFrames: 0,
      audioHz,
    });
  };
  const avc = card('h264', o.avcSize).video;
  const hevcStream = card('hevc', o.hevcSize, o.hevcAudio ? 48_000 : undefined);
  const hevc = hevcStream.video;
  const tone = hevcStream.audio;
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
    ...(tone ? ['--audio', tone] : []),
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
