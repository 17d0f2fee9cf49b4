import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { TsStreamFeed } from '../../../device/sources/ts-stream-feed.ts';
import { TsDemuxer } from '../../../media/ts/ts-demuxer.ts';
import { writeChildTs } from '../../fixtures/child-ts.ts';
import { requireFfmpeg } from '../../fixtures/h264-streams.ts';
import { ffmpegWarnings } from '../../fixtures/playlist-judges.ts';

/**
 * A camera's RTSP server restarts and the agent's ffmpeg child connects again: each child
 * starts its timestamps afresh, and the new connection's clock (fixed from arrival times) can
 * map its first frames to or before the last ones already recorded (seen in the rtsp-cameras
 * e2e test on a loaded machine). The feed then starts the new connection after everything
 * the old one handed on. A player joins the two runs: ffmpeg (whose null muxer works in the
 * stream's 1/25 s time base) must see decode times that still rise, so the new run starts a
 * whole frame after the last frame of the old one, and its audio a whole AAC frame after the
 * last audio frame.
 */
const EPOCH_MS = 1_800_000_000_000;
const FRAME_TICKS = 3600; // 25 fps
const AAC_FRAME_TICKS = (1024 * 90_000) / 48_000; // 1920: one AAC frame at 48 kHz
const VIDEO_PID = 0x100;
const AUDIO_PID = 0x101;
let dir: string;
let childTs: Uint8Array;

beforeAll(() => {
  requireFfmpeg();
  dir = mkdtempSync(join(tmpdir(), 'camrec-reconnect-'));
  const file = join(dir, 'child.ts');
  writeChildTs(file, { seconds: 3, audioOffsetSeconds: 0.2, audioSeconds: 2.5 });
  childTs = readFileSync(file);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two connections of one source through the feed into one segmenter, the second arriving `secondArrivalMs` after the first. */
function recordTwoConnections(secondArrivalMs: number): MediaSegment[] {
  const segments: MediaSegment[] = [];
  const seg = new LiveSegmenter({ targetSegmentSeconds: 1, audio: true, maxFrameGapMs: 3000, onSegment: (s) => segments.push(s) });
  const input = { putVideoFrame: seg.putVideoFrame.bind(seg), putAudioFrame: seg.putAudioFrame.bind(seg) };
  const connect = (floorTicks: number | undefined, arrivalMs: number): TsStreamFeed => {
    const feed = new TsStreamFeed(input, { floorTicks, calibrationMs: 0 });
    // The child's pipe in 188-byte packets, every one arriving at once (a burst after ffmpeg probes).
    for (let o = 0; o < childTs.byteLength; o += 188 * 7) feed.push(childTs.slice(o, o + 188 * 7), arrivalMs);
    feed.end();
    return feed;
  };
  const first = connect(undefined, EPOCH_MS);
  seg.closeSegment(); // FfmpegSource cuts when its child exits
  connect(first.endTicks, EPOCH_MS + secondArrivalMs);
  seg.end();
  return segments;
}

/** Decode times of one PID in the joined segments, in order. */
function timesOf(segments: MediaSegment[], pid: number): number[] {
  const out: number[] = [];
  const d = new TsDemuxer({ onProgram: () => {}, onPes: (p) => p.pid === pid && out.push(p.dts ?? p.pts!) });
  for (const s of segments) d.push(s.bytes);
  d.flush();
  return out;
}

describe('TsStreamFeed: a reconnect whose clock maps onto the last connection', () => {
  it('starts a whole frame after the last video frame and a whole AAC frame after the last audio frame: ffmpeg decodes the join without a warning', () => {
    // The second connection's arrival-based clock puts its first frame 1 s before the first connection's end.
    const segments = recordTwoConnections(2_000);
    expect(segments.slice(1).filter((s) => s.discontinuity)).toHaveLength(1);
    const joined = join(dir, 'joined.ts');
    writeFileSync(joined, Buffer.concat(segments.map((s) => s.bytes)));
    expect(ffmpegWarnings(joined)).toBe('');

    const join1 = segments.findIndex((s, i) => i > 0 && s.discontinuity);
    for (const [pid, minStep] of [
      [VIDEO_PID, FRAME_TICKS],
      [AUDIO_PID, AAC_FRAME_TICKS],
    ] as const) {
      const before = timesOf(segments.slice(0, join1), pid);
      const after = timesOf(segments.slice(join1), pid);
      expect(after[0]! - before.at(-1)!, `pid ${pid}`).toBeGreaterThanOrEqual(minStep);
    }
  });

  it('a reconnect whose clock lands well after the last connection keeps its own times', () => {
    const segments = recordTwoConnections(10_000);
    const join1 = segments.findIndex((s, i) => i > 0 && s.discontinuity);
    const before = timesOf(segments.slice(0, join1), VIDEO_PID);
    const after = timesOf(segments.slice(join1), VIDEO_PID);
    // The same child stream 10 s later on the wall clock: its first key frame 10 s after the first connection's.
    expect(after[0]! - timesOf(segments, VIDEO_PID)[0]!).toBe(10_000 * 90);
    expect(after[0]!).toBeGreaterThan(before.at(-1)!);
    const joined = join(dir, 'joined-late.ts');
    writeFileSync(joined, Buffer.concat(segments.map((s) => s.bytes)));
    expect(ffmpegWarnings(joined)).toBe('');
  });
});
