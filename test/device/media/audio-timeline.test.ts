import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAdtsHeader } from '../../../media/aac/adts-header.ts';
import { AudioTimeline } from '../../../device/media/clock/audio-timeline.ts';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { TsDemuxer, type DemuxedPes } from '../../../media/ts/ts-demuxer.ts';
import { childTsUnits } from '../../fixtures/child-ts.ts';
import { requireFfmpeg } from '../../fixtures/h264-streams.ts';
import { ffmpegWarnings as decodeWarnings } from '../../fixtures/playlist-judges.ts';

/**
 * Audio decode times must rise in every player, across PES packets, segments and
 * reconnects, whatever times the source hands over. A TS muxer puts several ADTS frames in
 * one PES; decoders time the later ones by sample count from the PES's PTS, so frames
 * whose times do not follow each other must not share a PES, and a frame that overlaps
 * audio already muxed cannot go in at all.
 *
 * The times fed here are those an ffmpeg child hands the agent on a loaded machine (seen in
 * CI: "Application provided invalid, non monotonically increasing dts to muxer in stream 1:
 * 3072 >= 2048"): ffmpeg's RTSP demuxer re-bases a stream when the first RTCP sender report
 * arrives after it has handed out the first packets, so its times step back once; the
 * ffmpeg CLI then re-stamps the stepped-back packets at the last time + 1 tick, + 2, ...
 */
const EPOCH_MS = 1_800_000_000_000;
const AUDIO_FRAME_TICKS = 1920; // 1024 samples at 48 kHz, in 90 kHz ticks
let dir: string;
let units: DemuxedPes[];

beforeAll(() => {
  requireFfmpeg();
  dir = mkdtempSync(join(tmpdir(), 'camrec-audio-timeline-'));
  const file = join(dir, 'in.ts');
  // What the agent's ffmpeg child writes: one access unit / one ADTS frame per PES.
  units = childTsUnits(file, { seconds: 5 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The audio times an ffmpeg child hands on: `shift(ticks)` is the source's time, then the CLI's "changing to last + 1". */
function childAudioTimes(shift: (ticks: number, index: number) => number): number[] {
  let last = -Infinity;
  return units
    .filter((u) => u.pid === 0x101)
    .map((u, i) => {
      const t = Math.max(shift(u.pts!, i), last + 1);
      last = t;
      return t;
    });
}

/** Feeds the segmenter in file order; `closeAtAudio` closes the segment (a reconnect) before that audio unit. */
function run(audioTimes: (number | undefined)[], o: { closeAtAudio?: number; videoShiftAfterClose?: number } = {}): MediaSegment[] {
  const segs: MediaSegment[] = [];
  const s = new LiveSegmenter({ targetSegmentSeconds: 1, audio: true, onSegment: (x) => segs.push(x) });
  const ms = (t: number) => EPOCH_MS + t / 90;
  let a = 0;
  let closed = false;
  for (const u of units) {
    if (u.pid === 0x100) {
      const shift = closed ? (o.videoShiftAfterClose ?? 0) : 0;
      s.putVideoFrame(u.data, ms(u.pts! + shift), ms((u.dts ?? u.pts!) + shift));
      continue;
    }
    if (a === o.closeAtAudio) {
      s.closeSegment();
      closed = true;
    }
    const t = audioTimes[a++];
    if (t !== undefined) s.putAudioFrame(u.data, ms(t));
  }
  s.end();
  return segs;
}

/** Every ADTS frame's time as a decoder sees it: its PES's PTS plus the frames before it in that PES. */
function decodedAudioTimes(segs: MediaSegment[]): number[] {
  const out: number[] = [];
  for (const seg of segs) {
    const d = new TsDemuxer({
      onProgram: () => {},
      onPes: (p) => {
        if (p.pid !== 0x101) return;
        for (let o = 0, k = 0; o < p.data.byteLength; k++) {
          const h = parseAdtsHeader(p.data, o)!;
          out.push(p.pts! + k * AUDIO_FRAME_TICKS);
          o += h.frameBytes;
        }
      },
    });
    d.push(seg.bytes);
    d.flush();
  }
  return out;
}

function ffmpegWarnings(segs: MediaSegment[], name: string): string {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, Buffer.concat(segs.map((s) => s.bytes)));
  return decodeWarnings(file).trim();
}

function expectRising(times: number[]): void {
  const back = times.flatMap((t, i) => (i > 0 && t <= times[i - 1]! ? [`frame ${i}: ${times[i - 1]} then ${t}`] : []));
  expect(back).toEqual([]);
}

describe('audio through the segmenter: decode times always rise', () => {
  const audioUnits = () => units.filter((u) => u.pid === 0x101).length;

  for (const stepFrames of [2, 18]) {
    it(`the source's clock steps back ${stepFrames} audio frames 0.5 s in and the ffmpeg child re-stamps those frames 1 tick apart: they are dropped, the rest plays with no warning`, () => {
      const segs = run(childAudioTimes((t, i) => (i >= 24 ? t - stepFrames * AUDIO_FRAME_TICKS : t)));
      const times = decodedAudioTimes(segs);
      expectRising(times);
      expect(ffmpegWarnings(segs, `step-${stepFrames}`)).toBe('');
      // What was lost is the re-stamped frames (their slot was already played), nothing else.
      expect(times.length).toBeGreaterThanOrEqual(audioUnits() - stepFrames - 1 - 2 * 25);
      expect(segs.reduce((n, s) => n + s.videoFrames, 0)).toBe(125);
    });
  }

  it('a source with a few ticks of jitter and a lost run of frames: contiguous frames share PES, the hole stays a hole', () => {
    const lost = new Set([60, 61, 62, 63, 64]);
    const times = childAudioTimes((t, i) => t + ((i * 7) % 5) - 2).map((t, i) => (lost.has(i) ? undefined : t));
    const segs = run(times);
    const decoded = decodedAudioTimes(segs);
    expectRising(decoded);
    expect(ffmpegWarnings(segs, 'jitter-gap')).toBe('');
    // The hole is where the source put it: 6 frames' time between the frames around it; no other step.
    const steps = decoded.slice(1).map((t, i) => t - decoded[i]!);
    expect(steps.filter((d) => d > 1.5 * AUDIO_FRAME_TICKS).map((d) => Math.round(d / AUDIO_FRAME_TICKS))).toEqual([6]);
  });

  it('a reconnect (segment closed, the new connection starts 1 tick after the last time handed on): audio rises across the join', () => {
    // The next connection's clock is floored at the last time handed on + 1 tick (ConnectionClock): its first
    // audio frame can start inside the previous connection's last one.
    const CLOSE_AT = 70;
    const base = units.filter((u) => u.pid === 0x101).map((u) => u.pts!);
    const back = base[CLOSE_AT]! - (base[CLOSE_AT - 1]! + 1);
    const times = base.map((t, i) => (i >= CLOSE_AT ? t - back : t));
    const segs = run(times, { closeAtAudio: CLOSE_AT });
    expect(segs.slice(1).some((s) => s.discontinuity)).toBe(true);
    expectRising(decodedAudioTimes(segs));
    expect(ffmpegWarnings(segs, 'reconnect')).toBe('');
  });
});

describe('AudioTimeline', () => {
  const F = AUDIO_FRAME_TICKS;
  it('places frames within half a frame of the last end at that end (contiguous), later ones at their own time (a gap)', () => {
    const t = new AudioTimeline();
    expect(t.place(1000, F, true)).toEqual({ ticks: 1000, contiguous: false });
    expect(t.place(1000 + F - 2, F, true)).toEqual({ ticks: 1000 + F, contiguous: true });
    expect(t.place(1000 + 2 * F + 3, F, true)).toEqual({ ticks: 1000 + 2 * F, contiguous: true });
    expect(t.place(1000 + 5 * F, F, true)).toEqual({ ticks: 1000 + 5 * F, contiguous: false });
    expect(t.droppedFrames).toBe(0);
  });

  it('drops a source-timed frame that overlaps placed audio (a clock step back, re-stamped 1 tick apart), and goes on when the source catches up', () => {
    const t = new AudioTimeline();
    t.place(0, F, true);
    t.place(F, F, true);
    expect(t.place(F + 1, F, true)).toBeUndefined();
    expect(t.place(F + 2, F, true)).toBeUndefined();
    expect(t.place(2 * F, F, true)).toEqual({ ticks: 2 * F, contiguous: true });
    expect(t.droppedFrames).toBe(2);
  });

  it('moves an early arrival-timed frame to the end of the last one (within maxSnapBackTicks), drops it further back; restart() starts again', () => {
    const t = new AudioTimeline({ maxSnapBackTicks: 3 * F });
    t.place(10 * F, F, false);
    expect(t.place(9 * F, F, false)).toEqual({ ticks: 11 * F, contiguous: true });
    expect(t.place(5 * F, F, false)).toBeUndefined();
    t.restart();
    expect(t.place(5 * F, F, false)).toEqual({ ticks: 5 * F, contiguous: false });
  });
});
