import { describe, expect, it } from 'vitest';
import {
  eventEndBoundMs,
  eventRecordPhases,
  packSegmentSummary,
  parseAnyEventRecord,
  parseHeartbeatRecord,
  resolveEventEnd,
  serializeHeartbeatRecord,
  unpackSegmentSummary,
  eventSortKey,
  parseEventRecord,
  segmentSortKey,
  serializeEventRecord,
  toEventItem,
  toKeyItem,
  toSegmentItem,
  ttlFor,
} from '../../contract/index.ts';

const rec = { version: 1 as const, deviceId: 'cam-1', eventId: 'e-1', type: 'motion', startMs: 1_767_225_600_000, endMs: 1_767_225_610_000 };

describe('event record', () => {
  it('round-trips and keeps an optional label', () => {
    expect(parseEventRecord(JSON.parse(serializeEventRecord(rec)))).toEqual(rec);
    expect(parseEventRecord({ ...rec, label: 'front door' }).label).toBe('front door');
  });
  it('lists every problem', () => {
    expect(() => parseEventRecord({ ...rec, version: 2, deviceId: 'a/b', type: 'Motion!', endMs: rec.startMs - 1 })).toThrow(
      /version must be 1.*device id.*event type.*endMs must not be before/,
    );
    expect(() => parseEventRecord({ ...rec, endMs: rec.startMs + 25 * 3_600_000 })).toThrow(/at most 24 h/);
    expect(() => parseEventRecord([])).toThrow(/JSON object/);
  });
});

describe('index items', () => {
  it('pack what playlists read into one string and read it back', () => {
    const m = { startMs: 1_767_225_600_000, durationMs: 5960, seq: 9_007_199_254_740_991, discSeq: 3, keyId: 'ab'.repeat(16), iv: '0f'.repeat(16) };
    expect(packSegmentSummary(m)).toBe(`1767225600000:5960:9007199254740991:3:${'ab'.repeat(16)}:${'0f'.repeat(16)}`);
    expect(unpackSegmentSummary(packSegmentSummary(m))).toEqual(m);
    for (const bad of ['', '1:2:3', '1:2:x:4:k:i', '1:2:3:4:k:i:extra', `1:2:3:4:k:i:${'ab'.repeat(16)}:more`])
      expect(unpackSegmentSummary(bad)).toBeUndefined();
  });

  it('an fMP4 segment summary also carries its init section id (a seventh field); one without it is MPEG-TS', () => {
    const m = { startMs: 1_767_225_600_000, durationMs: 1000, seq: 7, discSeq: 0, keyId: 'ab'.repeat(16), iv: '0f'.repeat(16), initId: '1e'.repeat(16) };
    expect(packSegmentSummary(m)).toBe(`1767225600000:1000:7:0:${'ab'.repeat(16)}:${'0f'.repeat(16)}:${'1e'.repeat(16)}`);
    expect(unpackSegmentSummary(packSegmentSummary(m))).toEqual(m);
    expect(unpackSegmentSummary(packSegmentSummary({ ...m, initId: undefined }))).not.toHaveProperty('initId');
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
    const seg = toSegmentItem(
      'cam-1',
      { startMs: 1_000_000, durationMs: 6000, seq: 1, discSeq: 0, keyId: 'ab'.repeat(16), iv: '00'.repeat(16), codecs: 'avc1.64001f', width: 2, height: 2 },
      'k',
      10,
      30,
    );
    expect(seg).toMatchObject({ deviceId: 'cam-1', sk: 'seg#0000001000000', ttl: 1000 + 30 * 86_400, objectKey: 'k', sizeBytes: 10 });
    expect(toEventItem(rec, 'k', 30)).toMatchObject({ sk: `evt#${rec.startMs}#e-1`, ttl: rec.startMs / 1000 + 30 * 86_400 });
    // A key outlives the segments that use it.
    expect(toKeyItem('cam-1', 'ab'.repeat(16), 'k', 1_000_000, 30).ttl).toBe(1000 + 31 * 86_400);
  });
});

describe('event records, version 2 (start and end)', () => {
  const start = {
    version: 2 as const,
    phase: 'start' as const,
    deviceId: 'cam-1',
    eventId: 'e-2',
    type: 'doorbell',
    startMs: 1_767_225_600_000,
    maxDurationMs: 300_000,
  };
  const end = {
    version: 2 as const,
    phase: 'end' as const,
    deviceId: 'cam-1',
    eventId: 'e-2',
    type: 'doorbell',
    startMs: 1_767_225_600_000,
    endMs: 1_767_225_604_000,
    endReason: 'stopped' as const,
  };
  it('round-trip, and a version-1 record still reads as both', () => {
    expect(parseAnyEventRecord(JSON.parse(serializeEventRecord(start)))).toEqual(start);
    expect(parseAnyEventRecord(JSON.parse(serializeEventRecord(end)))).toEqual(end);
    expect(parseAnyEventRecord(rec)).toEqual(rec);
    expect(eventRecordPhases(rec)).toEqual({ start: true, end: true });
    expect(eventRecordPhases(start)).toEqual({ start: true, end: false });
  });
  it('list every problem', () => {
    expect(() => parseAnyEventRecord({ ...start, phase: 'middle', maxDurationMs: 0 })).toThrow(/phase must be "start" or "end"/);
    expect(() => parseAnyEventRecord({ ...start, maxDurationMs: 10 })).toThrow(/maxDurationMs must be whole ms from 1000/);
    expect(() => parseAnyEventRecord({ ...end, endReason: 'bored', endMs: end.startMs - 1 })).toThrow(
      /endMs must not be before startMs.*endReason must be one of/,
    );
    expect(() => parseAnyEventRecord({ ...end, version: 3 })).toThrow(/version must be 1 or 2/);
  });
  it('an open event ends "now" until its maximum end, then there', () => {
    const item = { startMs: 1000, maxEndMs: 61_000 };
    expect(resolveEventEnd(item, 30_000)).toEqual({ endMs: 30_000, open: true });
    expect(resolveEventEnd(item, 90_000)).toEqual({ endMs: 61_000, open: false });
    expect(resolveEventEnd({ ...item, endMs: 5000 }, 30_000)).toEqual({ endMs: 5000, open: false });
    expect(eventEndBoundMs({ startMs: 1000 })).toBe(1000 + 86_400_000);
  });
});

describe('heartbeat record', () => {
  const hb = { version: 1 as const, deviceId: 'cam-1', atMs: 1_767_225_600_000, mode: 'event' as const, privacyPaused: true, backlogSegments: 3 };
  it('round-trips and lists every problem', () => {
    expect(parseHeartbeatRecord(JSON.parse(serializeHeartbeatRecord(hb)))).toEqual(hb);
    expect(() => parseHeartbeatRecord({ ...hb, mode: 'sometimes', privacyPaused: 'no', backlogSegments: -1 })).toThrow(
      /mode must be.*privacyPaused must be true or false.*backlogSegments/,
    );
  });
});
