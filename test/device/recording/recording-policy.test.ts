import { describe, expect, it } from 'vitest';
import { RecordingPolicy } from '../../../device/recording/recording-policy.ts';

const seg = (startMs: number, durationMs = 2000) => ({ startMs, durationMs, id: startMs });
const ids = (xs: { id: number }[]) => xs.map((x) => x.id);
const opts = { preRecordMs: 2000, postRecordMs: 3000, maxEventMs: 300_000 };

describe('RecordingPolicy', () => {
  it('continuous mode records every segment', () => {
    const p = new RecordingPolicy<ReturnType<typeof seg>>({ mode: 'continuous', ...opts });
    expect(ids(p.offer(seg(0)).commit)).toEqual([0]);
    expect(ids(p.offer(seg(2000)).commit)).toEqual([2000]);
  });

  it('event mode holds only the pre-record reach and commits it when an event starts', () => {
    const p = new RecordingPolicy<ReturnType<typeof seg>>({ mode: 'event', ...opts });
    expect(p.offer(seg(0)).commit).toEqual([]);
    const d1 = p.offer(seg(2000));
    expect(d1.commit).toEqual([]);
    expect(ids(d1.release)).toEqual([0]); // ended 2 s before the newest end: out of reach
    expect(ids(p.offer(seg(4000)).release)).toEqual([2000]);
    expect(p.heldCount).toBe(1);
    const started = p.startEvent('motion', 'e1', 6500);
    expect(ids(started.commit)).toEqual([4000]);
    // While the event is open, everything is recorded.
    expect(ids(p.offer(seg(6000)).commit)).toEqual([6000]);
    expect(p.stopEvent(9000)).toMatchObject({ eventId: 'e1', type: 'motion', startMs: 6500, endMs: 9000, endReason: 'stopped' });
    // Post-record: 3 s after the stop.
    expect(ids(p.offer(seg(8000)).commit)).toEqual([8000]);
    expect(ids(p.offer(seg(10_000)).commit)).toEqual([10_000]);
    expect(p.offer(seg(12_000)).commit).toEqual([]);
  });

  it('closes an event at maxEventMs', () => {
    const p = new RecordingPolicy<ReturnType<typeof seg>>({ mode: 'event', ...opts, maxEventMs: 10_000 });
    p.startEvent('motion', 'e1', 1000);
    expect(p.tick(5000)).toBeUndefined();
    expect(p.tick(11_500)).toMatchObject({ endMs: 11_000, endReason: 'max-duration' });
    expect(p.openEvent).toBeUndefined();
  });

  it('a second start closes the first event', () => {
    const p = new RecordingPolicy<ReturnType<typeof seg>>({ mode: 'event', ...opts });
    p.startEvent('motion', 'e1', 1000);
    expect(p.startEvent('person', 'e2', 3000).ended).toMatchObject({ eventId: 'e1', endMs: 3000, endReason: 'replaced' });
    expect(p.openEvent?.eventId).toBe('e2');
  });

  it('switching to continuous releases what was held', () => {
    const p = new RecordingPolicy<ReturnType<typeof seg>>({ mode: 'event', ...opts });
    p.offer(seg(0));
    expect(ids(p.update({ mode: 'continuous' }).release)).toEqual([0]);
    expect(ids(p.offer(seg(2000)).commit)).toEqual([2000]);
  });

  it('pre-record 0 holds nothing', () => {
    const p = new RecordingPolicy<ReturnType<typeof seg>>({ mode: 'event', ...opts, preRecordMs: 0 });
    expect(ids(p.offer(seg(0)).release)).toEqual([0]);
    expect(p.heldCount).toBe(0);
  });
});
