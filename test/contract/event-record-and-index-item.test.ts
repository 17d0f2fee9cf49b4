import { describe, expect, it } from 'vitest';
import { packSegmentSummary, unpackSegmentSummary, eventSortKey, parseEventRecord, segmentSortKey, serializeEventRecord, toEventItem, toKeyItem, toSegmentItem, ttlFor } from '../../contract/index.ts';

const rec = { version: 1 as const, deviceId: 'cam-1', eventId: 'e-1', type: 'motion', startMs: 1_767_225_600_000, endMs: 1_767_225_610_000 };

describe('event record', () => {
  it('round-trips and keeps an optional label', () => {
    expect(parseEventRecord(JSON.parse(serializeEventRecord(rec)))).toEqual(rec);
    expect(parseEventRecord({ ...rec, label: 'front door' }).label).toBe('front door');
  });
  it('lists every problem', () => {
    expect(() => parseEventRecord({ ...rec, version: 2, deviceId: 'a/b', type: 'Motion!', endMs: rec.startMs - 1 })).toThrow(/version must be 1.*device id.*event type.*endMs must not be before/);
    expect(() => parseEventRecord({ ...rec, endMs: rec.startMs + 25 * 3_600_000 })).toThrow(/at most 24 h/);
    expect(() => parseEventRecord([])).toThrow(/JSON object/);
  });
});

describe('index items', () => {
  it('pack what playlists read into one string and read it back', () => {
    const m = { startMs: 1_767_225_600_000, durationMs: 5960, seq: 9_007_199_254_740_991, discSeq: 3, keyId: 'ab'.repeat(16), iv: '0f'.repeat(16) };
    expect(packSegmentSummary(m)).toBe(`1767225600000:5960:9007199254740991:3:${'ab'.repeat(16)}:${'0f'.repeat(16)}`);
    expect(unpackSegmentSummary(packSegmentSummary(m))).toEqual(m);
    for (const bad of ['', '1:2:3', '1:2:x:4:k:i', '1:2:3:4:k:i:extra']) expect(unpackSegmentSummary(bad)).toBeUndefined();
  });

  it('sort keys sort by time as strings', () => {
    const times = [0, 9, 10, 999_999_999_999, 1_767_225_600_000];
    const keys = times.map(segmentSortKey);
    expect([...keys].sort()).toEqual(keys);
    expect(segmentSortKey(5)).toBe('seg#0000000000005');
    expect(eventSortKey(5, 'x')).toBe('evt#0000000000005#x');
  });
  it('expire with their objects: TTL = recorded time + retention', () => {
    expect(ttlFor(1_000_000, 1)).toBe(1000 + 86_400);
    const seg = toSegmentItem('cam-1', { startMs: 1_000_000, durationMs: 6000, seq: 1, discSeq: 0, keyId: 'ab'.repeat(16), iv: '00'.repeat(16), codecs: 'avc1.64001f', width: 2, height: 2 }, 'k', 10, 30);
    expect(seg).toMatchObject({ deviceId: 'cam-1', sk: 'seg#0000001000000', ttl: 1000 + 30 * 86_400, objectKey: 'k', sizeBytes: 10 });
    expect(toEventItem(rec, 'k', 30)).toMatchObject({ sk: `evt#${rec.startMs}#e-1`, ttl: rec.startMs / 1000 + 30 * 86_400 });
    // A key outlives the segments that use it.
    expect(toKeyItem('cam-1', 'ab'.repeat(16), 'k', 1_000_000, 30).ttl).toBe(1000 + 31 * 86_400);
  });
});
