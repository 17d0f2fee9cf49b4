import { beforeAll, describe, expect, it } from 'vitest';
import { readFmp4Init } from '../../../media/clip/fmp4-init-reader.ts';
import { fmp4SegmentReader } from '../../../media/clip/fmp4-segment-reader.ts';
import type { SegmentSamples } from '../../../media/clip/segment-samples.ts';
import { readTsSegment } from '../../../media/clip/ts-segment-reader.ts';
import { Fmp4Muxer } from '../../../media/fmp4/fmp4-muxer.ts';
import type { VideoSample } from '../../../media/fmp4/fmp4-input.ts';
import { aacAudioTrack } from '../../../media/fmp4/tracks.ts';
import { MediaInputError, UnsupportedStreamError } from '../../../media/media-error.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { makeMediaSegments } from '../../lambda/support/fixture-media.ts';

const EPOCH_MS = Date.UTC(2026, 11, 1, 10, 0, 0);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const videoOf = (s: SegmentSamples) => s.video.map((v) => ({ dts: v.dts, pts: v.pts, isSync: v.isSync, nals: v.nals.map(hex) }));

/** The device's segmenter on one ffmpeg test card, written as MPEG-TS and as fMP4. */
describe('fMP4 segment reader against the MPEG-TS reader on the same camera media', () => {
  let ts: MediaSegment[];
  let fmp4: MediaSegment[];
  let hevc: MediaSegment[];

  beforeAll(async () => {
    [ts, fmp4, hevc] = await Promise.all([
      makeMediaSegments({ seconds: 3, epochMs: EPOCH_MS, container: 'ts' }),
      makeMediaSegments({ seconds: 3, epochMs: EPOCH_MS, container: 'fmp4' }),
      makeMediaSegments({ seconds: 3, epochMs: EPOCH_MS, codec: 'hevc' }),
    ]);
  }, 120_000);

  it('H.264: the same pictures (times, sync flags, NAL units) and the same AAC frames as the TS segments give', () => {
    expect(fmp4.map((s) => s.container)).toEqual(['fmp4', 'fmp4', 'fmp4']);
    const init = readFmp4Init(fmp4[0]!.init!.bytes);
    const read = fmp4SegmentReader(init);
    for (let i = 0; i < ts.length; i++) {
      const fromTs = readTsSegment(ts[i]!.bytes);
      const fromMp4 = read(fmp4[i]!.bytes);
      expect(fromMp4.problems).toEqual([]);
      expect(videoOf(fromMp4)).toEqual(
        videoOf(fromTs).map((v) => ({ ...v, nals: v.nals.filter((n) => ![7, 8, 9].includes(parseInt(n.slice(0, 2), 16) & 0x1f)) })),
      );
      // The fMP4 track keeps AAC times in samples (22.05 kHz): back in 90 kHz ticks they are within half a sample.
      expect(fromMp4.audio.map((x) => hex(x.data))).toEqual(fromTs.audio.map((x) => hex(x.data)));
      fromMp4.audio.forEach((x, k) => expect(Math.abs(x.pts - fromTs.audio[k]!.pts)).toBeLessThanOrEqual(2));
      expect(fromMp4.audioConfig).toEqual(fromTs.audioConfig);
      expect(fromMp4.videoTrack().codecString).toBe(fromTs.videoTrack().codecString);
    }
  });

  it('H.265: an hvc1 track with the codec string and size the camera announced, every picture, a sync first', () => {
    const init = readFmp4Init(hevc[0]!.init!.bytes);
    expect(init.video.codec).toBe('hevc');
    expect(init.video.track).toMatchObject({ sampleEntry: 'hvc1', configBox: 'hvcC', width: 128, height: 96 });
    expect(`${init.video.track.codecString},mp4a.40.${init.audio!.config.audioObjectType}`).toBe(hevc[0]!.codecs);
    const read = fmp4SegmentReader(init);
    for (const s of hevc) {
      const samples = read(s.bytes);
      expect(samples.video).toHaveLength(s.videoFrames);
      expect(samples.video[0]!.isSync).toBe(true);
      expect(samples.video.slice(1).every((v) => !v.isSync)).toBe(true);
      expect(samples.audio.length).toBeGreaterThan(0);
      expect(samples.videoConfigKey).toMatch(/^hevc:/);
    }
  });

  it('B-frames and one fragment per GOP: presentation times come back exact, decode times shifted by one constant, every fragment read', () => {
    const src = readTsSegment(ts[0]!.bytes);
    // Reorder as an encoder with one B-frame would: pictures keep their pts, decode times run one frame earlier.
    const frame = src.video[1]!.dts - src.video[0]!.dts;
    const video: VideoSample[] = src.video.map((v, i) => ({ ...v, dts: v.dts - frame, pts: i === 0 ? v.pts : i % 2 === 1 ? v.pts + frame : v.pts - frame }));
    const muxer = new Fmp4Muxer({ video: src.videoTrack(), audio: aacAudioTrack(src.audioConfig!), fragments: 'gop' });
    const half = video.map((v, i) => ({ ...v, isSync: i === 0 || i === 5 }));
    const segment = muxer.writeSegment({ video: half, audio: src.audio });
    const read = fmp4SegmentReader(readFmp4Init(muxer.initSegment))(segment);
    expect(read.video.map((v) => v.pts)).toEqual(half.map((v) => v.pts));
    const shift = read.video[0]!.dts - half[0]!.dts;
    expect(shift).toBe(Math.min(...half.map((v) => v.pts)) - half[0]!.dts);
    expect(read.video.map((v) => v.dts - shift)).toEqual(half.map((v) => v.dts));
    expect(read.video.map((v) => v.isSync)).toEqual(half.map((v) => v.isSync));
    expect(read.audio.map((a) => hex(a.data))).toEqual(src.audio.map((a) => hex(a.data)));
  });

  it('refuses what is not an fMP4 init section or segment, saying so', () => {
    expect(() => readFmp4Init(ts[0]!.bytes)).toThrow(MediaInputError);
    const init = readFmp4Init(fmp4[0]!.init!.bytes);
    expect(() => fmp4SegmentReader(init)(fmp4[0]!.bytes.subarray(0, fmp4[0]!.bytes.byteLength - 100))).toThrow(/truncated or corrupt/);
    // A segment whose only track is not the init's video track: nothing to play.
    const hevcInit = readFmp4Init(hevc[0]!.init!.bytes);
    expect(() => fmp4SegmentReader({ ...hevcInit, video: { ...hevcInit.video, trackId: 9 } })(hevc[0]!.bytes)).toThrow(/no video samples/);
    // An encrypted (CENC) sample entry is named, not misread.
    const encv = Buffer.from(fmp4[0]!.init!.bytes);
    encv.write('encv', encv.indexOf('avc1'), 'latin1');
    expect(() => readFmp4Init(encv)).toThrow(UnsupportedStreamError);
    expect(() => readFmp4Init(encv)).toThrow(/'encv' \(encrypted samples\)/);
  });
});
