import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { findFfmpeg } from '../../../device/sources/ffmpeg-args.ts';
import { FfmpegSource } from '../../../device/sources/ffmpeg-source.ts';
import { FFMPEG } from '../../fixtures/h264-streams.ts';
import { ffmpegWarnings } from '../../fixtures/playlist-judges.ts';
import { mediaInput } from '../../support/media-input.ts';
import { cameraPipeline, startRtspServer, type RtspServer } from '../../support/rtsp/rtsp-server.ts';
import { until } from '../../support/until.ts';

/**
 * A camera whose clock steps back while the agent records it, with keyframe pictures on (the
 * default for RTSP cameras). gst-rtsp-server's shared media with a non-live source starts again
 * from its beginning when a second client PLAYs it: every client's timestamps step back by
 * however long the first had been playing, a real clock step. ffmpeg's RTSP demuxer does the
 * same on its own when its first RTCP sender report comes late (a busy machine or camera).
 */
let dir: string;
const servers: RtspServer[] = [];
const others: ChildProcess[] = [];

beforeAll(() => {
  expect(findFfmpeg(), 'ffmpeg must be installed at /usr/bin/ffmpeg for this test').toBeDefined();
  dir = mkdtempSync(join(tmpdir(), 'camrec-clock-step-'));
});

afterAll(async () => {
  for (const c of others) c.kill('SIGKILL');
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The server's own trouble, not the child's: gst-rtsp-server sent nothing for the stall limit. */
const SERVER_STALLED = /stalled: no data for/;

interface Attempt {
  errors: string[];
  segments: MediaSegment[];
  /** Video frames and pictures after the step. */
  after: { frames: number; pictures: number };
}

/** One camera (a fresh server), recorded from before its clock steps back until 6 s of video and five pictures after, or a source error. */
async function recordAcrossStep(): Promise<Attempt> {
  const server = await startRtspServer({ '/cam': cameraPipeline({ audio: 'aac', gopFrames: 25 }) });
  servers.push(server);
  const errors: string[] = [];
  const pictures: number[] = [];
  const segments: MediaSegment[] = [];
  let frames = 0;
  const seg = new LiveSegmenter({ targetSegmentSeconds: 1, audio: true, onSegment: (s) => segments.push(s) });
  const src = new FfmpegSource(
    mediaInput({
      putVideoFrame: (au, pts, dts) => {
        frames++;
        seg.putVideoFrame(au, pts, dts);
      },
      putAudioFrame: (f, pts) => seg.putAudioFrame(f, pts),
      cutSegment: () => seg.closeSegment(),
      putKeyframePicture: (_jpeg, tsMs) => void pictures.push(tsMs),
      noteSourceError: (e) => void errors.push(e.message),
    }),
    { url: server.url('/cam'), audio: true, stallMs: 15_000, pictures: { widthPx: 160, quality: 7 } },
  );
  src.start();
  const before = { frames: 0, pictures: 0 };
  try {
    await until('three keyframe pictures before the step', () => pictures.length >= 3 || errors.length > 0, { timeoutMs: 60_000 });
    if (errors.length) return { errors, segments, after: before };
    // A second client: the shared stream starts again from its beginning, for both clients.
    others.push(
      spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', server.url('/cam'), '-f', 'null', '-'], { stdio: 'ignore' }),
    );
    Object.assign(before, { frames, pictures: pictures.length });
    // Six seconds of video and five pictures (1 s GOP) after the step: before the fix the child
    // died at the first keyframe after it ("[mjpeg] Invalid pts (50) <= last (100)"), and the
    // agent restarted it (a reconnect: a discontinuity in the recording).
    await until(
      '6 s of video and five keyframe pictures after the step, or a source error',
      () => (frames >= before.frames + 150 && pictures.length >= before.pictures + 5) || errors.length > 0,
      { timeoutMs: 60_000, detail: () => `${frames - before.frames} frames, ${pictures.length - before.pictures} pictures` },
    );
  } finally {
    await src.stop();
    seg.closeSegment();
  }
  return { errors, segments, after: { frames: frames - before.frames, pictures: pictures.length - before.pictures } };
}

describe('FfmpegSource with keyframe pictures, on an RTSP camera whose clock steps back', () => {
  it('keeps its one ffmpeg child (no exit, no restart); video and pictures go on, and what it recorded decodes cleanly', async () => {
    // gst-rtsp-server's restart of a shared stream now and then sends nothing for seconds on a
    // loaded machine (seen once in three runs beside four CPU hogs): that attempt is the
    // server's, and is made again with a fresh server, at most twice. Any other source error
    // (the child exiting) fails at once.
    const attempts: Attempt[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await recordAcrossStep();
      attempts.push(a);
      if (!(a.errors.length > 0 && a.errors.every((e) => SERVER_STALLED.test(e)))) break;
    }
    const last = attempts.at(-1)!;
    const tries = attempts.map((a) => `${a.after.frames} frames, ${a.after.pictures} pictures after the step; ${a.errors.join(' | ')}`).join('\n');
    expect(last.errors, `the ffmpeg child exited: the clock step stopped the recording\n${tries}`).toEqual([]);
    expect(last.after.frames, tries).toBeGreaterThanOrEqual(150);
    expect(last.after.pictures, tries).toBeGreaterThanOrEqual(5);
    // What was recorded across the step (the re-stamped frames dropped, video resuming at a key
    // frame) decodes back to back in ffmpeg without a word.
    expect(last.segments.length).toBeGreaterThanOrEqual(6);
    const file = join(dir, 'recorded.ts');
    writeFileSync(file, Buffer.concat(last.segments.map((s) => s.bytes)));
    expect(ffmpegWarnings(file).trim()).toBe('');
  }, 400_000);
});
