import { describe, expect, it } from 'vitest';
import { HourStatus } from '../../../contract/index.ts';
import { hotRanges, mergeHistory, type HourView, type PackView } from '../../../lambda/index/merge-history.ts';
import type { SegmentSummary } from '../../../lambda/index/segment-index.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10);
const seg = (startMs: number, seq: number): SegmentSummary => ({ startMs, durationMs: 6000, seq, discSeq: 0, keyId: 'ab'.repeat(16), iv: '00'.repeat(16) });
const pack = (name: string, packedAtMs: number, segs: SegmentSummary[]): PackView => ({
  name,
  packedAtMs,
  expiresAtMs: T0 + 30 * 86_400_000,
  segments: segs.map((s, i) => ({ ...s, pack: { name, offset: i * 100, length: 100 } })),
});

describe('merging packed and hot history', () => {
  const a = seg(T0, 1);
  const b = seg(T0 + 6000, 2);
  const late = seg(T0 + 12_000, 3);
  const hours = new Map<number, HourView>([
    [T0, { hourMs: T0, status: HourStatus.OPEN, packs: [pack('p0', T0 + H + 600_000, [a, b])] }],
    [T0 + H, { hourMs: T0 + H, status: HourStatus.PACKED, packs: [pack('p1', T0 + 2 * H + 600_000, [seg(T0 + H, 4)])] }],
  ]);

  it('lists each segment once: from its pack when the view may use it, else hot; late hot ones beside the pack', () => {
    const hot = [a, b, late]; // hot copies not deleted yet, and a late one not packed yet
    const out = mergeHistory(T0, T0 + 2 * H, hot, hours.values(), {});
    expect(out.map((s) => [s.seq, s.pack?.name ?? 'hot', s.pack?.offset])).toEqual([
      [1, 'p0', 0],
      [2, 'p0', 100],
      [3, 'hot', undefined],
      [4, 'p1', 0],
    ]);
    const before = mergeHistory(T0, T0 + 2 * H, hot, hours.values(), { packedBeforeMs: T0 + H });
    expect(before.map((s) => s.pack?.name ?? 'hot')).toEqual(['hot', 'hot', 'hot']);
  });

  it('reads segment items only for hours that are open, unknown, or have a pack the view may not use', () => {
    expect(hotRanges(hours, H, T0, T0 + 3 * H, {})).toEqual([
      [T0, T0 + H],
      [T0 + 2 * H, T0 + 3 * H],
    ]);
    expect(hotRanges(hours, H, T0 + 60_000, T0 + 3 * H, { packedBeforeMs: T0 + H })).toEqual([[T0 + 60_000, T0 + 3 * H]]);
    // Expired pack items (TTL passed, not yet deleted by DynamoDB) are not used.
    expect(hotRanges(hours, H, T0 + H, T0 + 2 * H, { nowMs: T0 + 31 * 86_400_000 })).toEqual([[T0 + H, T0 + 2 * H]]);
  });
});
