import { describe, expect, it } from 'vitest';
import { parseSegmentMetadata, toS3Metadata, type SegmentMetadata } from '../../contract/index.ts';

const meta: SegmentMetadata = { startMs: 1_767_225_600_000, durationMs: 6000, seq: 7, discSeq: 2, keyId: 'ab'.repeat(16), iv: '01'.repeat(16), codecs: 'avc1.64001f,mp4a.40.2', width: 1920, height: 1080 };

describe('segment metadata', () => {
  it('round-trips through S3 user metadata names', () => {
    const s3 = toS3Metadata(meta);
    expect(s3).toEqual({ 'start-ms': '1767225600000', 'duration-ms': '6000', seq: '7', 'disc-seq': '2', 'key-id': 'ab'.repeat(16), iv: '01'.repeat(16), codecs: 'avc1.64001f,mp4a.40.2', width: '1920', height: '1080' });
    expect(parseSegmentMetadata(s3)).toEqual(meta);
  });

  it('lists every problem at once', () => {
    const bad = { ...toS3Metadata(meta), 'duration-ms': '0', seq: '-1', iv: 'XYZ', codecs: 'hev1.1.6.L93', width: undefined };
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
