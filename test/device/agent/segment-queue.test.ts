import { describe, expect, it } from 'vitest';
import { SegmentQueue } from '../../../device/agent/segment-queue.ts';

/** A step that runs only when the test lets it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('SegmentQueue', () => {
  it('never holds more than maxBytes of segments, however fast they come; what it refuses it says so', async () => {
    const errors: Error[] = [];
    const q = new SegmentQueue({ maxBytes: 1000, onError: (e) => errors.push(e) });
    const g = gate();
    const ran: number[] = [];
    const accepted: number[] = [];
    let peakBytes = 0;
    for (let i = 0; i < 500; i++) {
      if (
        q.offerSegment(300, async () => {
          await g.opened;
          ran.push(i);
        })
      )
        accepted.push(i);
      peakBytes = Math.max(peakBytes, q.bytesIn);
    }
    expect(accepted).toEqual([0, 1, 2]);
    expect(peakBytes).toBe(900);
    expect(q.segmentsIn).toBe(3);
    // Once committing catches up there is room again.
    g.open();
    await q.idle();
    expect(ran).toEqual([0, 1, 2]);
    expect(q.segmentsIn).toBe(0);
    expect(q.bytesIn).toBe(0);
    expect(q.offerSegment(300, async () => {})).toBe(true);
    await q.idle();
    expect(errors).toEqual([]);
  });

  it('takes one segment bigger than maxBytes when empty, and nothing beside it', async () => {
    const q = new SegmentQueue({ maxBytes: 1000, onError: () => {} });
    expect(q.offerSegment(5000, async () => {})).toBe(true);
    expect(q.offerSegment(1, async () => {})).toBe(false);
    await q.idle();
    expect(q.offerSegment(1, async () => {})).toBe(true);
  });

  it('runs segments and control steps one at a time, in order, never inside the caller; control steps are always taken', async () => {
    const q = new SegmentQueue({ maxBytes: 100, onError: () => {} });
    const order: string[] = [];
    let inside = 0;
    let overlap = false;
    const step = (name: string) => async () => {
      overlap ||= inside > 0;
      inside++;
      await new Promise((r) => setImmediate(r));
      order.push(name);
      inside--;
    };
    q.offerSegment(100, step('segment 1'));
    for (let i = 0; i < 50; i++) q.run(step(`control ${i}`)); // no media: not bounded
    expect(q.offerSegment(100, step('segment 2'))).toBe(false);
    expect(order).toEqual([]); // nothing ran inside the caller's call
    await q.idle();
    expect(order).toEqual(['segment 1', ...Array.from({ length: 50 }, (_, i) => `control ${i}`)]);
    expect(overlap).toBe(false);
  });

  it('a step that throws is reported and the next one runs', async () => {
    const errors: string[] = [];
    const q = new SegmentQueue({ maxBytes: 100, onError: (e) => errors.push(e.message) });
    const ran: string[] = [];
    q.offerSegment(10, async () => {
      throw new Error('disk said no');
    });
    q.run(async () => void ran.push('after'));
    await q.idle();
    expect(errors).toEqual(['disk said no']);
    expect(ran).toEqual(['after']);
    expect(q.segmentsIn).toBe(0);
  });

  it('refuses a bound that is not positive', () => {
    expect(() => new SegmentQueue({ maxBytes: 0, onError: () => {} })).toThrow(/maxBytes must be positive, got 0/);
  });
});
