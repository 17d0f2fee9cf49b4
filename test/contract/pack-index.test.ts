import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SEGMENT_RECORD_BYTES,
  decodePackedSegments,
  initIdOfFormat,
  encodePackedSegments,
  forEachPackedRecord,
  packDigest,
  packName,
  packObjectKey,
  parsePackName,
  type PackedSegment,
} from '../../contract/index.ts';

const HOUR = Date.UTC(2026, 2, 4, 5);
const seg = (i: number, offset: number, length: number, extra: Partial<PackedSegment> = {}): PackedSegment => ({
  startMs: HOUR + i * 6000,
  durationMs: 5960 + i,
  seq: 9_007_199_254_740_000 + i,
  discSeq: 3,
  keyId: (i < 2 ? 'ab' : 'cd').repeat(16),
  iv: randomBytes(16).toString('hex'),
  offset,
  length,
  checksumSha256: randomBytes(32).toString('base64'),
  codecs: 'avc1.64001f,mp4a.40.2',
  width: 1920,
  height: 1080,
  ...extra,
});

describe('pack index items', () => {
  it('fMP4 segments keep their init section id through the pack format list (init sections are never packed)', () => {
    const init = '1e'.repeat(16);
    const segs = [seg(0, 0, 100), seg(1, 100, 200, { codecs: 'hvc1.1.6.L93.90', initId: init }), seg(2, 300, 50, { codecs: 'hvc1.1.6.L93.90', initId: init })];
    const enc = encodePackedSegments(HOUR, segs);
    expect(enc.formats).toEqual(['avc1.64001f,mp4a.40.2|1920|1080', `hvc1.1.6.L93.90|1920|1080|${init}`]);
    expect(decodePackedSegments(HOUR, enc.segs, enc.keys, enc.formats, enc.sums)).toEqual(segs);
    expect(enc.formats.map(initIdOfFormat)).toEqual([undefined, init]);
  });

  it('encodes segments in 48-byte records (checksums apart) and reads them back exactly (a key table, cumulative offsets, seq up to 2^53)', () => {
    const segs = [seg(0, 0, 1000), seg(1, 1000, 2000, { checksumSha256: undefined }), seg(2, 3000, 5, { codecs: 'avc1.4d401f', width: 640, height: 360 })];
    const enc = encodePackedSegments(HOUR, segs);
    expect(enc.segs.length).toBe(3 * SEGMENT_RECORD_BYTES);
    expect(enc.sums.length).toBe(3 * 32);
    expect(enc.keys).toEqual(['ab'.repeat(16), 'cd'.repeat(16)]);
    expect(decodePackedSegments(HOUR, enc.segs, enc.keys, enc.formats, enc.sums)).toEqual(segs);
    // Without the checksums item: everything else.
    expect(decodePackedSegments(HOUR, enc.segs, enc.keys, enc.formats)).toEqual(segs.map((s) => ({ ...s, checksumSha256: undefined })));
    // What a playlist reads, one call per record and no object in between.
    const seen: unknown[] = [];
    forEachPackedRecord(HOUR, enc.segs, enc.keys, (startMs, durationMs, seq, discSeq, keyId, iv, offset, length) =>
      seen.push({ startMs, durationMs, seq, discSeq, keyId, iv, offset, length }),
    );
    expect(seen).toEqual(
      segs.map(({ startMs, durationMs, seq, discSeq, keyId, iv, offset, length }) => ({ startMs, durationMs, seq, discSeq, keyId, iv, offset, length })),
    );
  });

  it('refuses what does not fit: a gap in offsets, a segment outside its hour, a bad IV or checksum, torn records', () => {
    expect(() => encodePackedSegments(HOUR, [seg(0, 0, 10), seg(1, 11, 10)])).toThrow(/offset 11, expected 10/);
    expect(() => encodePackedSegments(HOUR + 6000, [seg(0, 0, 10)])).toThrow(/does not start in pack hour/);
    expect(() => encodePackedSegments(HOUR, [seg(0, 0, 10, { iv: 'xyz' })])).toThrow(/IV/);
    expect(() => encodePackedSegments(HOUR, [seg(0, 0, 10, { checksumSha256: 'AAAA' })])).toThrow(/base64 SHA-256/);
    expect(() => decodePackedSegments(HOUR, new Uint8Array(SEGMENT_RECORD_BYTES + 1), [], [])).toThrow(/48 bytes each/);
  });

  it('names packs and their objects; a name parses back only as written', () => {
    const ref = { kind: 'event' as const, hourMs: HOUR, packNo: 3, digest: packDigest([seg(0, 0, 10)]) };
    expect(packName(ref)).toBe(`event-${HOUR}-3-${ref.digest}.ts`);
    expect(packObjectKey('cam-1', ref)).toBe(`packs/event/cam-1/2026/03/04/05/${HOUR}-3-${ref.digest}.ts`);
    expect(parsePackName(packName(ref))).toEqual(ref);
    // A playlist names a pack of fMP4 segments .m4s: the same pack.
    expect(parsePackName(`event-${HOUR}-3-${ref.digest}.m4s`)).toEqual(ref);
    for (const bad of [
      `event-${HOUR}-3-${ref.digest}.mp4`,
      `event-${HOUR}-03-${ref.digest}.m4s`,
      `event-${HOUR}-03-${ref.digest}.ts`,
      `other-${HOUR}-3-${ref.digest}.ts`,
      `event-${HOUR}-3-${ref.digest.toUpperCase()}.ts`,
      '../x.ts',
      `event-${HOUR}-3-${ref.digest}.ts/x`,
    ]) {
      expect(() => parsePackName(bad), bad).toThrow(/invalid pack name/);
    }
    // Same segments, same digest; any change in them (here one checksum), another.
    expect(packDigest([seg(0, 0, 10, { checksumSha256: 'a'.repeat(43) + '=' })])).not.toBe(
      packDigest([seg(0, 0, 10, { checksumSha256: 'b'.repeat(43) + '=' })]),
    );
  });
});
