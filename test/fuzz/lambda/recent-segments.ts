import { eventEndBoundMs, SortKeyPrefix, toSegmentItem, type DeviceStateItem, type EventItem, type SegmentItem } from '../../../contract/index.ts';
import type { PutOutcome, SegmentIndex, SegmentPage } from '../../../lambda/index/segment-index.ts';

/** A read-only in-memory index holding one camera's recent segments (fuzz fixture). */
export function memorySegmentIndex(deviceId: string, segments: readonly SegmentItem[], events: readonly EventItem[] = []): SegmentIndex {
  const mine = (id: string) => (id === deviceId ? [...segments].sort((a, b) => a.startMs - b.startMs) : []);
  const refuse = async (): Promise<PutOutcome> => {
    throw new Error('the fuzz index is read-only');
  };
  return {
    putSegment: refuse,
    putEvent: refuse,
    putKey: refuse,
    advanceState: async () => {
      throw new Error('the fuzz index is read-only');
    },
    registerHour: async () => {
      throw new Error('the fuzz index is read-only');
    },
    getState: async (id): Promise<DeviceStateItem | undefined> => {
      const last = mine(id).at(-1);
      return last && { deviceId: id, sk: SortKeyPrefix.STATE, lastSeenMs: last.startMs + last.durationMs, lastSeq: last.seq, lastDiscSeq: last.discSeq, lastKeyId: last.keyId };
    },
    querySegments: async (id, startMs, endMs, limit): Promise<SegmentPage> => {
      const all = mine(id).filter((s) => s.startMs >= startMs && s.startMs < endMs);
      if (limit === undefined || all.length <= limit) return { items: all };
      return { items: all.slice(0, limit), nextStartMs: all[limit]!.startMs };
    },
    newestSegments: async (id, count) => mine(id).slice(-count),
    queryEvents: async (id, startMs, endMs) => (id === deviceId ? events.filter((e) => eventEndBoundMs(e) > startMs && e.startMs < endMs) : []),
    getPack: async () => undefined,
  };
}

/** `count` back-to-back 6 s segments of one camera ending at `endMs`, one key, one discontinuity in the middle. */
export function recentSegments(deviceId: string, endMs: number, count: number): SegmentItem[] {
  const durationMs = 6000;
  return Array.from({ length: count }, (_, i) => {
    const startMs = endMs - (count - i) * durationMs;
    const seq = 1000 + i;
    return toSegmentItem(
      deviceId,
      { startMs, durationMs, seq, discSeq: i < count / 2 ? 3 : 4, keyId: 'ab'.repeat(16), iv: '0f'.repeat(16), codecs: 'avc1.4d401f,mp4a.40.2', width: 1280, height: 720 },
      `segments/${deviceId}/x/${startMs}-${seq}.ts`,
      750_000,
      30,
    );
  });
}
