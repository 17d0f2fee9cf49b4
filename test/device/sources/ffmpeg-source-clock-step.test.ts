import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../device/sources/ffmpeg-args.ts';
import { FfmpegSource } from '../../../device/sources/ffmpeg-source.ts';
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
let server: RtspServer;
const others: ChildProcess[] = [];

beforeAll(async () => {
  expect(findFfmpeg(), 'ffmpeg must be installed at /usr/bin/ffmpeg for this test').toBeDefined();
  server = await startRtspServer({ '/cam': cameraPipeline({ audio: 'aac', gopFrames: 25 }) });
}, 60_000);

afterAll(async () => {
  for (const c of others) c.kill('SIGKILL');
  await server?.stop();
});

describe('FfmpegSource with keyframe pictures, on an RTSP camera whose clock steps back', () => {
  it('keeps its one ffmpeg child: no exit, no restart; video and pictures go on after the step', async () => {
    const errors: string[] = [];
    const pictures: number[] = [];
    let frames = 0;
    const src = new FfmpegSource(
      mediaInput({
        putVideoFrame: () => void frames++,
        putKeyframePicture: (_jpeg, tsMs) => void pictures.push(tsMs),
        noteSourceError: (e) => void errors.push(e.message),
      }),
      { url: server.url('/cam'), audio: true, stallMs: 30_000, pictures: { widthPx: 160, quality: 7 } },
    );
    src.start();
    try {
      await until('three keyframe pictures before the step', () => pictures.length >= 3, { timeoutMs: 60_000, detail: () => errors.join('\n') });
      // A second client: the shared stream starts again from its beginning, for both clients.
      const second = spawn(
        '/usr/bin/ffmpeg',
        ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', server.url('/cam'), '-t', '4', '-f', 'null', '-'],
        {
          stdio: 'ignore',
        },
      );
      others.push(second);
      const before = { pictures: pictures.length, frames };
      // Six seconds of video and five pictures (1 s GOP) after the step: before the fix the child
      // died at the first keyframe after it ("[mjpeg] Invalid pts (50) <= last (100)"), and the
      // agent restarted it (a reconnect: a discontinuity in the recording).
      await until('6 s of video and five keyframe pictures after the step', () => frames >= before.frames + 150 && pictures.length >= before.pictures + 5, {
        timeoutMs: 60_000,
        detail: () => `${frames - before.frames} frames, ${pictures.length - before.pictures} pictures; ${errors.join('\n')}`,
      });
      expect(errors, 'the ffmpeg child exited: the clock step stopped the recording').toEqual([]);
    } finally {
      await src.stop();
    }
  }, 150_000);
});
