import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../device/core/redact-secrets.ts';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { ffmpegArgs, findFfmpeg } from '../../../device/sources/ffmpeg-args.ts';
import { FfmpegSource } from '../../../device/sources/ffmpeg-source.ts';
import { FFMPEG, FFPROBE } from '../../fixtures/h264-streams.ts';
import { ffmpegWarnings } from '../../fixtures/playlist-judges.ts';
import { pesStarts, readPackets } from '../../fixtures/ts-inspect.ts';
import { mediaInput } from '../../support/media-input.ts';
import { until } from '../../support/until.ts';

let dir: string;

/** A 25 fps test-card clip, an IDR every second, with a 440 Hz tone (drop it with audioArgs ['-an']); the container from the file name. */
function makeClip(name: string, audioArgs: string[], videoArgs: string[] = ['-bf', '0'], { size = '320x240', seconds = 4 } = {}): string {
  const file = join(dir, name);
  execFileSync(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=${size}:rate=25:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '25',
    '-keyint_min',
    '25',
    '-sc_threshold',
    '0',
    ...videoArgs,
    ...audioArgs,
    '-shortest',
    file,
  ]);
  return file;
}

/** Runs the source on a file until it has played to its end; returns what the segmenter made. */
async function record(url: string, audio = true) {
  const segments: MediaSegment[] = [];
  const errors: Error[] = [];
  const notices: string[] = [];
  const seg = new LiveSegmenter({ targetSegmentSeconds: 1, audio, onSegment: (s) => segments.push(s) });
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  const src = new FfmpegSource(
    {
      pushVideo: (c) => seg.pushVideo(c),
      pushAudio: (c) => seg.pushAudio(c),
      putVideoFrame: (au, pts, dts) => seg.putVideoFrame(au, pts, dts),
      putAudioFrame: (f, pts) => seg.putAudioFrame(f, pts),
      cutSegment: () => seg.closeSegment(),
      noteSourceError: (e) => errors.push(e),
      noteSourceNotice: (m) => {
        notices.push(m);
        if (/played to its end/.test(m)) ended();
      },
    },
    { url, audio, stallMs: 10_000 },
  );
  src.start();
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`no end: ${errors.map((e) => e.message).join('; ')}`)), 40_000))]);
  await src.stop();
  return { segments, errors, notices, plan: src.audioPlan };
}

/** ffmpeg decodes the segments back to back: warnings (empty when clean) and video frames. */
function decode(name: string, segments: MediaSegment[]): { warnings: string; frames: number } {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, Buffer.concat(segments.map((s) => s.bytes)));
  const warnings = ffmpegWarnings(file);
  const probe = JSON.parse(
    execFileSync(FFPROBE, ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'json', file]).toString(),
  );
  return { warnings: warnings.trim(), frames: Number(probe.streams[0].nb_read_frames) };
}

beforeAll(() => {
  expect(findFfmpeg(), 'ffmpeg must be installed at /usr/bin/ffmpeg for this test').toBeDefined();
  dir = mkdtempSync(join(tmpdir(), 'camrec-ffsrc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ffmpeg child arguments', () => {
  it('copies video, copies or transcodes audio, MPEG-TS to stdout; RTSP over TCP unless UDP is asked for', () => {
    const copy = ffmpegArgs({ url: 'rtsp://cam.local/stream1', audio: 'copy' });
    expect(copy).toEqual(expect.arrayContaining(['-rtsp_transport', 'tcp', '-c:v', 'copy', '-c:a', 'copy', '-f', 'mpegts', 'pipe:1']));
    expect(copy).not.toContain('libx264');
    expect(ffmpegArgs({ url: 'rtsp://cam.local/s', audio: 'copy', rtspTransport: 'udp' })).toEqual(expect.arrayContaining(['-rtsp_transport', 'udp']));
    const transcode = ffmpegArgs({ url: 'rtsp://cam.local/s', audio: 'transcode' });
    expect(transcode).toEqual(expect.arrayContaining(['-c:v', 'copy', '-c:a', 'aac']));
    expect(ffmpegArgs({ url: 'rtsp://cam.local/s', audio: 'none' }).join(' ')).not.toMatch(/0:a/);
    expect(ffmpegArgs({ url: '/clips/a.mp4', audio: 'copy', loop: true })).toEqual(expect.arrayContaining(['-re', '-stream_loop', '-1']));
  });

  it('hides credentials in URLs, in the userinfo and in query parameters cameras use', () => {
    expect(redactSecrets('rtsp://admin:s3cr%21t@10.0.0.2:554/s')).toBe('rtsp://admin:***@10.0.0.2:554/s');
    expect(redactSecrets('error opening rtsp://10.0.0.2/cam/realmonitor?channel=1&user=admin&password=hunter2&subtype=0: refused')).toBe(
      'error opening rtsp://10.0.0.2/cam/realmonitor?channel=1&user=admin&password=***&subtype=0: refused',
    );
    expect(redactSecrets('{"msg":"x","url":"rtsps://u:p@h/s?token=abc"}')).toBe('{"msg":"x","url":"rtsps://u:***@h/s?token=***"}');
  });
});

describe('FfmpegSource on container files (the same path as RTSP: the source clock is kept)', () => {
  it('H.264 + AAC: audio copied, segments of exactly the 1 s GOP from the file timestamps, decoding cleanly', async () => {
    const r = await record(makeClip('aac.mp4', ['-c:a', 'aac']));
    expect(r.plan).toBe('copy');
    expect(r.segments.length).toBeGreaterThanOrEqual(3);
    for (const s of r.segments.slice(0, -1)) expect(s.durationMs).toBeCloseTo(1000, 6);
    expect(r.segments.every((s) => s.hasAudio && /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/.test(s.codecs))).toBe(true);
    expect(decode('aac', r.segments)).toEqual({ warnings: '', frames: r.segments.reduce((n, s) => n + s.videoFrames, 0) });
  });

  it('H.264 + G.711 A-law: ffmpeg transcodes the audio to AAC (said once), video still copied', async () => {
    const r = await record(makeClip('alaw.mkv', ['-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1']));
    expect(r.plan).toBe('transcode');
    expect(r.notices.filter((n) => /not AAC: ffmpeg transcodes it to AAC/.test(n))).toHaveLength(1);
    expect(r.segments.length).toBeGreaterThanOrEqual(2);
    expect(r.segments.every((s) => /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/.test(s.codecs))).toBe(true);
    expect(decode('alaw', r.segments).warnings).toBe('');
  });

  it('a resolution change mid-stream starts a new segment with a discontinuity', async () => {
    const part = (name: string, size: string) => readFileSync(makeClip(name, ['-an'], ['-bf', '0'], { size, seconds: 2 }));
    const joined = join(dir, 'resize.ts');
    writeFileSync(joined, Buffer.concat([part('small.ts', '320x240'), part('large.ts', '640x360')]));
    const r = await record(joined, false);
    const sizes = r.segments.map((s) => `${s.width}x${s.height}${s.discontinuity ? '!' : ''}`);
    expect(sizes[0]).toBe('320x240!');
    const firstLarge = sizes.findIndex((x) => x.startsWith('640'));
    expect(firstLarge).toBeGreaterThan(0);
    expect(sizes[firstLarge]).toBe('640x360!');
    expect(sizes.filter((x) => x.endsWith('!'))).toHaveLength(2);
  });

  it('an unreachable camera: the failure is counted and retried, and its password appears in no message', async () => {
    const errors: Error[] = [];
    const src = new FfmpegSource(mediaInput({ noteSourceError: (e) => errors.push(e) }), {
      url: 'rtsp://admin:hunter2@127.0.0.1:9/stream1?password=hunter2',
      audio: true,
      stallMs: 10_000,
    });
    src.start();
    await until('the failure to be counted', () => errors.length >= 1, 20_000).finally(() => src.stop());
    expect(errors[0]?.message).toMatch(/ffmpeg for rtsp:\/\/admin:\*\*\*@127\.0\.0\.1:9\/stream1\?password=\*\*\* exited .*restarting/);
    expect(errors.map((e) => e.message).join('\n')).not.toContain('hunter2');
  });

  it('B-frames keep their PTS and DTS: PES headers carry both, PCR follows DTS, segments last their GOP', async () => {
    const r = await record(makeClip('bframes.mp4', ['-c:a', 'aac'], ['-bf', '2', '-profile:v', 'main']));
    expect(r.errors.filter((e) => !/exited/.test(e.message))).toEqual([]);
    const frames = r.segments.reduce((n, s) => n + s.videoFrames, 0);
    expect(frames).toBeGreaterThanOrEqual(75);
    for (const s of r.segments.slice(0, -1)) expect(s.durationMs).toBeCloseTo(1000, 6);
    const packets = readPackets(r.segments[1]!.bytes);
    const video = pesStarts(packets).filter((p) => p.pid === 0x100);
    expect(video.some((p) => p.dts !== undefined && p.pts! > p.dts)).toBe(true);
    // PCR (on video packets) never passes the DTS of the video PES it rides with.
    for (const p of video) {
      const pcr = packets[p.packetIndex]!.adaptation?.pcrBase;
      if (pcr !== undefined) expect(pcr).toBeLessThan(p.dts ?? p.pts!);
    }
    expect(decode('bframes', r.segments)).toEqual({ warnings: '', frames });
  });
});
