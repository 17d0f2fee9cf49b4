import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import type { MediaInputError } from '../../../media/media-error.ts';
import { TsDemuxer, type DemuxedPes } from '../../../media/ts/ts-demuxer.ts';
import { childTsUnits } from '../../fixtures/child-ts.ts';
import { requireFfmpeg } from '../../fixtures/h264-streams.ts';
import { ffmpegWarnings } from '../../fixtures/playlist-judges.ts';
import { countVideoFrames } from '../../fixtures/video-judges.ts';

/**
 * A source whose clock steps back while the agent records it, as the ffmpeg child hands it
 * on: the stepped-back packets (video and audio) re-stamped at the last time + 1 tick, + 2,
 * ... until the source's times catch up. Seen on this machine with gst-rtsp-server, whose
 * shared non-live media restarts from its beginning when another client PLAYs it (the
 * rtsp-cameras e2e test's 'udp' camera joining the 'aac' camera's mount), and possible with
 * any camera whose clock steps or ffmpeg's RTSP demuxer re-basing on its first RTCP report.
 *
 * Frames 1 tick apart are not frames a player can show: they are dropped, the segment
 * closes at the last good frame, video resumes at the next IDR (a discontinuity), every
 * segment's duration is what ffmpeg decodes, and audio decode times keep rising.
 */
const EPOCH_MS = 1_800_000_000_000;
const FRAME_TICKS = 3600; // 25 fps
let dir: string;
let units: DemuxedPes[];

beforeAll(() => {
  requireFfmpeg();
  dir = mkdtempSync(join(tmpdir(), 'camrec-restamped-'));
  const file = join(dir, 'in.ts');
  units = childTsUnits(file, { seconds: 6 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The units in file order with the times an ffmpeg child hands on when the source's clock
 * steps back `stepTicks` at `atTicks` (source time): each stream re-stamped at last + 1.
 */
function childTimes(atTicks: number, stepTicks: number): { u: DemuxedPes; pts: number; dts: number }[] {
  const last = new Map<number, number>();
  let stepped = false;
  return units.map((u) => {
    const dts0 = u.dts ?? u.pts!;
    if (dts0 >= atTicks) stepped = true;
    const shift = stepped ? -stepTicks : 0;
    const dts = Math.max(dts0 + shift, (last.get(u.pid) ?? -Infinity) + 1);
    last.set(u.pid, dts);
    return { u, pts: Math.max(u.pts! + shift, dts), dts };
  });
}

/** The same, with each audio unit handed on `lateBy` units later (a child that interleaves audio late): video waits for it. */
function audioLate(times: { u: DemuxedPes; pts: number; dts: number }[], lateBy: number): { u: DemuxedPes; pts: number; dts: number }[] {
  const out = times.map((t, i) => ({ t, at: t.u.pid === 0x100 ? i : i + lateBy + 0.5 }));
  return out.sort((a, b) => a.at - b.at).map((x) => x.t);
}

function record(times: { u: DemuxedPes; pts: number; dts: number }[]): { segs: MediaSegment[]; errors: MediaInputError[] } {
  const segs: MediaSegment[] = [];
  const errors: MediaInputError[] = [];
  const s = new LiveSegmenter({ targetSegmentSeconds: 1, audio: true, onSegment: (x) => segs.push(x), onInputError: (e) => errors.push(e) });
  const ms = (t: number) => EPOCH_MS + t / 90;
  for (const { u, pts, dts } of times) {
    if (u.pid === 0x100) s.putVideoFrame(u.data, ms(pts), ms(dts));
    else s.putAudioFrame(u.data, ms(pts));
  }
  s.end();
  return { segs, errors };
}

describe('a source clock that steps back, re-stamped 1 tick apart by the ffmpeg child', () => {
  for (const [stepS, lateBy] of [
    [0.2, 0],
    [1.5, 0],
    [0.2, 12],
  ] as const) {
    it(`steps back ${stepS} s at 2.1 s${lateBy ? ', audio handed on late (video waits for it)' : ''}: re-stamped frames are dropped, every segment lasts what ffmpeg decodes, no decoder warning`, async () => {
      const { segs, errors } = record(audioLate(childTimes(2.1 * 90_000, stepS * 90_000), lateBy));
      // Video decode times inside every segment step by a frame (no frames 1 tick apart).
      for (const [i, seg] of segs.entries()) {
        const dts: number[] = [];
        const d = new TsDemuxer({ onProgram: () => {}, onPes: (p) => void (p.pid === 0x100 && dts.push(p.dts ?? p.pts!)) });
        d.push(seg.bytes);
        d.flush();
        const steps = dts.slice(1).map((t, k) => t - dts[k]!);
        expect(
          steps.filter((x) => x !== FRAME_TICKS),
          `segment ${i}`,
        ).toEqual([]);
        // Its duration is its frames' (what a player plays), as ffprobe counts them.
        const file = join(dir, `seg-${stepS}-${lateBy}-${i}.ts`);
        writeFileSync(file, seg.bytes);
        expect(Math.round((seg.durationMs * 90) / FRAME_TICKS), `segment ${i}`).toBe((await countVideoFrames(file)).frames);
      }
      // The step is said once, and the segment after it is a discontinuity.
      expect(errors.filter((e) => /re-stamped/.test(e.message))).toHaveLength(1);
      expect(segs.slice(1).some((s) => s.discontinuity)).toBe(true);
      const all = join(dir, `all-${stepS}-${lateBy}.ts`);
      writeFileSync(all, Buffer.concat(segs.map((s) => s.bytes)));
      expect(ffmpegWarnings(all).trim()).toBe('');
      // What is lost is the re-stamped run and the rest of its GOP, nothing before it.
      expect(segs.reduce((n, s) => n + s.videoFrames, 0)).toBeGreaterThanOrEqual(150 - Math.ceil((stepS * 90_000) / FRAME_TICKS) - 25);
    });
  }

  it('a source that reconnects with its first frame 1 tick after its last one (closeSegment between) loses nothing', () => {
    // Connection 1: the first 2 s; connection 2 (after closeSegment) continues 1 tick after connection 1's last video time.
    const segs: MediaSegment[] = [];
    const errors: MediaInputError[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 1, audio: true, onSegment: (x) => segs.push(x), onInputError: (e) => errors.push(e) });
    const ms = (t: number) => EPOCH_MS + t / 90;
    const first = units.find((u) => u.pid === 0x100)!;
    const SPLIT = (first.dts ?? first.pts!) + 2 * 90_000; // an IDR, 2 s in
    let lastVideo = 0;
    let closed = false;
    for (const u of units) {
      const t = u.dts ?? u.pts!;
      if (!closed && u.pid === 0x100 && t >= SPLIT) {
        s.closeSegment();
        closed = true;
      }
      const shift = closed ? lastVideo + 1 - SPLIT : 0;
      if (u.pid === 0x100) {
        s.putVideoFrame(u.data, ms(u.pts! + shift), ms(t + shift));
        if (!closed) lastVideo = t;
      } else if (closed || u.pts! < SPLIT) s.putAudioFrame(u.data, ms(u.pts! + shift));
    }
    s.end();
    expect(closed).toBe(true);
    expect(errors).toEqual([]);
    expect(segs.reduce((n, x) => n + x.videoFrames, 0)).toBe(150);
    expect(segs.filter((x) => x.discontinuity)).toHaveLength(2); // the first segment and the reconnect
  });

  it('a stream without a step is untouched: every frame recorded, no error', () => {
    const { segs, errors } = record(childTimes(Infinity, 0));
    expect(errors).toEqual([]);
    expect(segs.reduce((n, s) => n + s.videoFrames, 0)).toBe(150);
  });
});
