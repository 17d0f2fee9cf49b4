import {
  decodePackedSegments,
  eventSortKey,
  hourSortKey,
  packSortKey,
  padMs,
  type DeviceStateItem,
  type EventItem,
  type KeyItem,
  type PackItem,
  type SegmentItem,
} from '../../../contract/index.ts';
import { eventEndBoundMs, SortKeyPrefix } from '../../../contract/index.ts';
import type { EventStore } from '../../../lambda/events/event-store.ts';
import type { HourRegistration, PutOutcome, SegmentIndex, StateAdvance, StateAdvanceResult } from '../../../lambda/index/segment-index.ts';

/** A SegmentIndex and EventStore in memory with the same semantics as the DynamoDB ones (first write wins; ALL_OLD answers). */
export class MemorySegmentIndex implements SegmentIndex, EventStore {
  readonly items = new Map<string, Map<string, object>>();

  /**
   * An index already holding one camera's `segments` and `events`, with the state item the
   * indexer leaves after the newest segment (for handlers fed a fixed history, e.g. fuzzing).
   */
  static holding(deviceId: string, segments: readonly SegmentItem[], events: readonly EventItem[] = []): MemorySegmentIndex {
    const index = new MemorySegmentIndex();
    const p = index.part(deviceId);
    for (const item of [...segments, ...events]) p.set(item.sk, structuredClone(item));
    const last = [...segments].sort((x, y) => x.startMs - y.startMs).at(-1);
    if (last) {
      const state: DeviceStateItem = {
        deviceId,
        sk: SortKeyPrefix.STATE,
        lastSeenMs: last.startMs + last.durationMs,
        lastSeq: last.seq,
        lastDiscSeq: last.discSeq,
        lastKeyId: last.keyId,
      };
      p.set(state.sk, state);
    }
    return index;
  }

  private part(deviceId: string): Map<string, object> {
    let p = this.items.get(deviceId);
    if (!p) this.items.set(deviceId, (p = new Map()));
    return p;
  }
  private sorted<T>(deviceId: string, prefix: string): T[] {
    return [...this.part(deviceId).entries()]
      .filter(([sk]) => sk.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v as T);
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
  async advanceState(deviceId: string, u: StateAdvance): Promise<StateAdvanceResult> {
    const p = this.part(deviceId);
    const cur = p.get('state') as DeviceStateItem | undefined;
    if (cur && cur.lastSeq !== undefined && cur.lastSeq >= u.seq) return 'stale';
    const heard = u.heardMs !== undefined ? { lastHeardMs: u.heardMs, lastSegmentHeardMs: u.heardMs } : {};
    const hour = u.hourMs !== undefined ? { packHourMs: u.hourMs } : {};
    p.set('state', { ...cur, deviceId, sk: 'state', lastSeenMs: u.seenMs, lastSeq: u.seq, lastDiscSeq: u.discSeq, lastKeyId: u.keyId, ...heard, ...hour });
    return { previous: cur && structuredClone(cur) };
  }
  /** Registrations as the indexer made them, in order. */
  readonly registrations: { deviceId: string; hourMs: number; registration: HourRegistration }[] = [];
  async registerHour(deviceId: string, hourMs: number, registration: HourRegistration): Promise<void> {
    this.registrations.push({ deviceId, hourMs, registration });
    const p = this.part(deviceId);
    const cur = p.get(hourSortKey(hourMs)) as { rev: number; recheck?: Set<number> } | undefined;
    const recheck = registration.recheckStartMs === undefined ? cur?.recheck : new Set([...(cur?.recheck ?? []), registration.recheckStartMs]);
    p.set(hourSortKey(hourMs), {
      deviceId,
      sk: hourSortKey(hourMs),
      hourMs,
      status: 'open',
      rev: (cur?.rev ?? 0) + 1,
      dueMs: registration.dueMs,
      ...(recheck ? { recheck } : {}),
    });
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
  async segmentFormat(deviceId: string, atMs?: number) {
    const segs = this.sorted<SegmentItem>(deviceId, 'seg#');
    const s = atMs === undefined ? segs.at(-1) : segs.find((x) => x.startMs >= atMs);
    return s && { codecs: s.codecs, width: s.width, height: s.height, container: s.container ?? 'ts' };
  }
  async queryEvents(deviceId: string, startMs: number, endMs: number) {
    return this.sorted<EventItem>(deviceId, 'evt#').filter((e) => eventEndBoundMs(e) > startMs && e.startMs < endMs);
  }

  // ---- EventStore ----
  private updateEvent(
    deviceId: string,
    sk: string,
    set: Partial<EventItem>,
    ifMissing: Partial<EventItem>,
    remove: (keyof EventItem)[] = [],
  ): EventItem | undefined {
    const p = this.part(deviceId);
    const before = p.get(sk) as EventItem | undefined;
    const next: Record<string, unknown> = { deviceId, sk, ...before };
    for (const [k, v] of Object.entries(ifMissing)) if (next[k] === undefined && v !== undefined) next[k] = v;
    for (const [k, v] of Object.entries(set)) if (v !== undefined) next[k] = v;
    for (const k of remove) delete next[k];
    p.set(sk, next);
    return before && structuredClone(before);
  }
  async recordStart(s: Parameters<EventStore['recordStart']>[0]) {
    const { objectKey, maxEndMs, ...shared } = s;
    return this.updateEvent(s.deviceId, eventSortKey(s.startMs, s.eventId), { objectKey, maxEndMs }, shared);
  }
  async recordEnd(e: Parameters<EventStore['recordEnd']>[0]) {
    const { endMs, endReason, endObjectKey, ...shared } = e;
    return this.updateEvent(e.deviceId, eventSortKey(e.startMs, e.eventId), { endMs, endReason, endObjectKey }, shared, ['endInferred']);
  }
  async closeInferred(deviceId: string, sk: string, endMs: number, reason: EventItem['endReason']) {
    const cur = this.part(deviceId).get(sk) as EventItem | undefined;
    if (!cur || cur.startMs === undefined || cur.endMs !== undefined) return undefined;
    this.updateEvent(deviceId, sk, { endMs, endReason: reason, endInferred: true }, {});
    return structuredClone(this.part(deviceId).get(sk) as EventItem);
  }
  async markNotified(deviceId: string, sk: string, phase: 'start' | 'end') {
    if (this.part(deviceId).has(sk)) this.updateEvent(deviceId, sk, phase === 'start' ? { startNotified: true } : { endNotified: true }, {});
  }
  async openEvents(deviceId: string, fromMs: number, toMs: number) {
    const lo = `evt#${padMs(Math.max(0, fromMs))}`;
    const hi = `evt#${padMs(toMs - 1)}#~`;
    return this.sorted<EventItem>(deviceId, 'evt#').filter((e) => e.sk >= lo && e.sk <= hi && e.endMs === undefined && e.startMs !== undefined);
  }
  async newestEvent(deviceId: string) {
    return this.sorted<EventItem>(deviceId, 'evt#').at(-1);
  }
  async getPack(deviceId: string, hourMs: number, packNo: number) {
    const p = this.part(deviceId).get(packSortKey(hourMs, packNo)) as PackItem | undefined;
    return p && { digest: p.digest, segments: decodePackedSegments(p.hourMs, p.segs, p.keys, p.formats) };
  }
}
