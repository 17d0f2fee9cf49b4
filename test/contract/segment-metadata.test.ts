import { describe, expect, it } from 'vitest';
import { parseSegmentMetadata, toS3Metadata, type SegmentMetadata } from '../../contract/index.ts';

const meta: SegmentMetadata = {
  startMs: 1_767_225_600_000,
  durationMs: 6000,
  seq: 7,
  discSeq: 2,
  keyId: 'ab'.repeat(16),
  iv: '01'.repeat(16),
  codecs: 'avc1.64001f,mp4a.40.2',
  width: 1920,
  height: 1080,
  container: 'ts',
};
const hevc: SegmentMetadata = { ...meta, codecs: 'hvc1.1.6.L93.B0,mp4a.40.2', container: 'fmp4', initId: 'cd'.repeat(16) };

describe('segment metadata', () => {
  it('round-trips through S3 user metadata names', () => {
    const s3 = toS3Metadata(meta);
    expect(s3).toEqual({
      'start-ms': '1767225600000',
      'duration-ms': '6000',
      seq: '7',
      'disc-seq': '2',
      'key-id': 'ab'.repeat(16),
      iv: '01'.repeat(16),
      codecs: 'avc1.64001f,mp4a.40.2',
      width: '1920',
      height: '1080',
      container: 'ts',
    });
    expect(parseSegmentMetadata(s3)).toEqual(meta);
  });

  it('fMP4 segments carry their container and init section; H.265 codec strings are accepted', () => {
    const s3 = toS3Metadata(hevc);
    expect(s3).toMatchObject({ container: 'fmp4', 'init-id': 'cd'.repeat(16), codecs: 'hvc1.1.6.L93.B0,mp4a.40.2' });
    expect(parseSegmentMetadata(s3)).toEqual(hevc);
    for (const codecs of ['hev1.1.6.L120.90', 'hvc1.2.4.H153.B0', 'avc1.42c01e,mp4a.40.5']) expect(parseSegmentMetadata({ ...s3, codecs }).codecs).toBe(codecs);
    // Metadata written before fMP4 had no container: it is MPEG-TS.
    const { container: _omit, ...old } = toS3Metadata(meta);
    expect(parseSegmentMetadata(old).container).toBe('ts');
  });

  it('refuses an fMP4 segment without its init id, an init id on TS, H.265 in TS and unknown containers', () => {
    const s3 = toS3Metadata(hevc);
    expect(() => parseSegmentMetadata({ ...s3, 'init-id': undefined })).toThrow(/init-id: invalid init id .*names its init section/);
    expect(() => parseSegmentMetadata({ ...toS3Metadata(meta), 'init-id': 'cd'.repeat(16) })).toThrow(/init-id is only for fMP4 segments/);
    expect(() => parseSegmentMetadata({ ...s3, container: 'ts', 'init-id': undefined })).toThrow(/H\.265 segments are fMP4/);
    expect(() => parseSegmentMetadata({ ...s3, container: 'mkv' })).toThrow(/container="mkv" must be ts or fmp4/);
    expect(() => parseSegmentMetadata({ ...s3, codecs: 'hvc1.1.6.L93.B0,avc1.64001f' })).toThrow(/codecs=/);
  });

  it('lists every problem at once', () => {
    const bad = { ...toS3Metadata(meta), 'duration-ms': '0', seq: '-1', iv: 'XYZ', codecs: 'vp09.00.10.08', width: undefined };
    const err = (() => {
      try {
        parseSegmentMetadata(bad);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    for (const part of ['duration-ms', 'seq=', 'iv must', 'codecs=', 'width is missing']) expect(err).toContain(part);
  });

  it('refuses missing metadata and a video-only codecs string is fine', () => {
    expect(() => parseSegmentMetadata(undefined)).toThrow(/start-ms is missing/);
    expect(parseSegmentMetadata({ ...toS3Metadata(meta), codecs: 'avc1.42c01e' }).codecs).toBe('avc1.42c01e');
  });
});
