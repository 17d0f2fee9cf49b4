import { describe, expect, it } from 'vitest';
import type { AdtsHeader } from '../../../../media/aac/adts-header.ts';
import type { VideoConfig } from '../../../../device/media/video/video-unit.ts';
import { pesStarts, readPackets } from '../../../fixtures/ts-inspect.ts';
import { AVC, AVC_CONFIG, tsSegmentWriter, unit } from '../stage-fixtures.ts';

const config: VideoConfig = AVC_CONFIG;
const aac = { audioObjectType: 2, sampleRateHz: 48_000, channels: 1 } as AdtsHeader;
/** ff f1 50 40 ...: ADTS, AAC-LC, 48 kHz, mono, 11-byte frame (7 header + 4 payload). */
const adts = Uint8Array.from([0xff, 0xf1, 0x50, 0x40, 0x01, 0x7f, 0xfc, 0x21, 0x10, 0x04, 0x60]);

const setup = tsSegmentWriter;
const picture = (n: number, isKey = false) => ({ u: unit({ isKey, nals: [isKey ? AVC.IDR : AVC.P] }), pts: 126_000 + n * 3600, dts: 126_000 + n * 3600 });

describe('SegmentWriter: one segment at a time, with the audio that belongs to it', () => {
  it('audio before each picture goes in ahead of it; audio from before the segment is dropped; the rest waits for the next segment', () => {
    const t = setup();
    // 1024 samples at 48 kHz: 1920 ticks each, back to back.
    for (const ticks of [120_000, 126_000, 127_920, 129_840, 131_760]) t.audio.push(adts, ticks, 1920);
    t.writer.open(picture(0, true), config, aac, true, true);
    t.writer.write(picture(0, true));
    t.writer.write(picture(1));
    t.writer.finish(133_200, 131_000); // ends at 133_200; the next segment's audio starts at its first decode time, 131_000
    const s = t.segments[0]!;
    expect(s).toMatchObject({
      container: 'ts',
      videoCodec: 'h264',
      codecs: 'avc1.4d401e,mp4a.40.2',
      hasAudio: true,
      videoFrames: 2,
      startMs: 1400,
      durationMs: 80,
      discontinuity: true,
    });
    const pes = pesStarts(readPackets(s.bytes));
    // 0x100 video, 0x101 audio (PES of up to 8 frames, the first frame's time): 120_000 is before the segment.
    expect(pes.map((p) => [p.pid, p.pts])).toEqual([
      [0x100, 126_000],
      [0x101, 126_000],
      [0x100, 129_600],
      [0x101, 129_840],
    ]);
    expect(t.stats).toMatchObject({ frames: 2, audioFrames: 3, segments: 1 });
    expect(t.audio.length).toBe(1); // 131_760 belongs with the next segment
  });

  it('audio that comes after the segment opened joins it: codecs and PMT gain it', () => {
    const t = setup();
    t.writer.open(picture(0, true), config, undefined, true, false);
    t.writer.write(picture(0, true));
    t.writer.audioJoined(aac);
    t.audio.push(adts, 126_500);
    t.writer.write(picture(1));
    t.writer.finish(133_200, 133_200);
    expect(t.segments[0]).toMatchObject({ codecs: 'avc1.4d401e,mp4a.40.2', hasAudio: true, discontinuity: false });
    expect(pesStarts(readPackets(t.segments[0]!.bytes)).some((p) => p.pid === 0x101)).toBe(true);
  });

  it('discard() forgets the open segment and says how many pictures it held; use() switches containers between segments', () => {
    const t = setup();
    t.writer.open(picture(0, true), config, undefined, false, true);
    t.writer.write(picture(0, true));
    expect(t.writer.discard()).toBe(1);
    expect(t.writer.seg).toBeUndefined();
    t.writer.use('fmp4');
    t.writer.open(picture(0, true), config, undefined, false, true);
    t.writer.write(picture(0, true));
    t.writer.finish(129_600, 129_600);
    expect(t.segments[0]).toMatchObject({ container: 'fmp4', init: { id: expect.stringMatching(/^[0-9a-f]{32}$/) } });
  });
});
