import type { DeviceStateItem, EventItem, KeyItem, SegmentItem } from '../../../contract/index.ts';
import type { PutOutcome, SegmentIndex, StateAdvance } from '../../../lambda/index/segment-index.ts';

/** A SegmentIndex in memory with the same semantics as the DynamoDB one (first write wins). */
export class MemorySegmentIndex implements SegmentIndex {
  readonly items = new Map<string, Map<string, object>>();

  private part(deviceId: string): Map<string, object> {
    let p = this.items.get(deviceId);
    if (!p) this.items.set(deviceId, (p = new Map()));
    return p;
  }
  private sorted<T>(deviceId: string, prefix: string): T[] {
    return [...this.part(deviceId).entries()].filter(([sk]) => sk.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v as T);
  }
  private async putOnce(item: { deviceId: string; sk: string }): Promise<PutOutcome> {
    const p = this.part(item.deviceId);
    if (p.has(item.sk)) return 'exists';
    p.set(item.sk, structuredClone(item));
    return 'created';
  }
  putSegment = (i: SegmentItem) => this.putOnce(i);
  putEvent = (i: EventItem) => this.putOnce(i);
  putKey = (i: KeyItem) => this.putOnce(i);
  async advanceState(deviceId: string, u: StateAdvance): Promise<void> {
    const p = this.part(deviceId);
    const cur = p.get('state') as DeviceStateItem | undefined;
    if (cur && cur.lastSeq >= u.seq) return;
    p.set('state', { deviceId, sk: 'state', lastSeenMs: u.seenMs, lastSeq: u.seq, lastDiscSeq: u.discSeq, lastKeyId: u.keyId });
  }
  async getState(deviceId: string) {
    return this.part(deviceId).get('state') as DeviceStateItem | undefined;
  }
  async querySegments(deviceId: string, startMs: number, endMs: number, limit?: number) {
    const all = this.sorted<SegmentItem>(deviceId, 'seg#').filter((s) => s.startMs >= startMs && s.startMs < endMs);
    if (limit !== undefined && all.length > limit) return { items: all.slice(0, limit), nextStartMs: all[limit]!.startMs };
    return { items: all };
  }
  async newestSegments(deviceId: string, count: number) {
    return this.sorted<SegmentItem>(deviceId, 'seg#').slice(-count);
  }
  async queryEvents(deviceId: string, startMs: number, endMs: number) {
    return this.sorted<EventItem>(deviceId, 'evt#').filter((e) => e.endMs > startMs && e.startMs < endMs);
  }
}
