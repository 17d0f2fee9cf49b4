import { describe, expect, it } from 'vitest';
import { SegmentCutter } from '../../../../device/media/segment/segment-cutter.ts';
import { segmenterLimits } from '../../../../device/media/segmenter-limits.ts';
import type { VideoConfig, VideoUnit } from '../../../../device/media/video/video-unit.ts';
import { AVC, AVC_CONFIG, tsSegmentWriter, unit } from '../stage-fixtures.ts';

const F = 3600;
const config: VideoConfig = AVC_CONFIG;

/** A cutter over a real writer and TS container; pictures by frame number, key frames every `gop`. */
function setup(o: { targetSeconds?: number; maxSegmentBytes?: number; config?: VideoConfig | undefined } = {}) {
  const { writer, segments } = tsSegmentWriter();
  const reports: string[] = [];
  const dropped: number[] = [];
  const limits = segmenterLimits({
    targetSegmentSeconds: o.targetSeconds ?? 2,
    ...(o.maxSegmentBytes ? { maxSegmentBytes: o.maxSegmentBytes } : {}),
    onSegment: () => {},
  });
  const cutter = new SegmentCutter(limits, {
    writer: () => writer,
    config: () => ('config' in o ? o.config : config),
    codec: () => 'h264',
    audio: () => undefined,
    audioMayJoin: () => false,
    frameTicks: () => F,
    droppedFrames: () => dropped.length,
    report: (m) => reports.push(m),
    drop: (u) => dropped.push(u.offset),
    cut: () => cutter.close(),
  });
  const picture = (n: number, isKey: boolean, extra: Partial<VideoUnit> = {}) =>
    cutter.place({ u: unit({ isKey, offset: n, nals: [isKey ? AVC.IDR : AVC.P], ...extra }), pts: n * F, dts: n * F });
  return { cutter, writer, segments, reports, dropped, picture };
}

describe('SegmentCutter: where segments start and end', () => {
  it('drops to the first key frame (said once), then cuts at the first key frame at or after the target', () => {
    const t = setup({ targetSeconds: 2 });
    for (let n = 0; n < 130; n++) t.picture(n, n % 25 === 5); // GOP 1 s, first key frame at 5
    t.cutter.close();
    expect(t.dropped).toEqual([0, 1, 2, 3, 4]);
    expect(t.reports).toEqual(['the video starts mid-GOP (no IDR yet): dropping frames until the first key frame']);
    expect(t.segments.map((s) => [s.startMs / 40, s.durationMs / 40, s.discontinuity])).toEqual([
      [5, 50, true],
      [55, 50, false],
      [105, 25, false],
    ]);
  });

  it('a key frame with no parameter sets known cannot open a segment: reported and dropped', () => {
    const t = setup({ config: undefined });
    t.picture(0, true);
    expect(t.segments).toEqual([]);
    expect(t.reports[0]).toMatch(/key frame at byte 0 has no SPS\/PPS before it/);
  });

  it('no key frame within maxSegmentBytes: cut there, and video resumes at the next key frame', () => {
    const t = setup({ targetSeconds: 2, maxSegmentBytes: 8 * 188 });
    for (let n = 0; n < 12; n++) t.picture(n, n === 0 || n === 10);
    t.cutter.close();
    expect(t.reports[0]).toMatch(/no key frame to close the segment at within 1504 bytes/);
    expect(t.segments[0]!.videoFrames).toBeLessThan(10);
    expect(t.segments.at(-1)).toMatchObject({ startMs: 10 * 40, discontinuity: true });
  });
});
