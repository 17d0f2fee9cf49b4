import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SEGMENT_SPARE_BYTES, TsMuxer, segmentBuffer } from '../../../media/ts/ts-muxer.ts';
import { readPackets } from '../../fixtures/ts-inspect.ts';

/** Segments of frames with varied sizes (1..40 packets), video + audio, from one muxer. */
function segments(m: TsMuxer, count: number, recycle: boolean): Uint8Array[] {
  const copies: Uint8Array[] = [];
  let t = 126_000;
  for (let s = 0; s < count; s++) {
    m.beginSegment(true);
    for (let i = 0; i < 25; i++, t += 3600) {
      const nal = new Uint8Array(17 + ((s * 7919 + i * 1013) % 7000));
      for (let j = 0; j < nal.byteLength; j++) nal[j] = (j * 31 + i) & 0xff;
      m.writeVideo([Uint8Array.of(0, 0, 0, 1), nal], t, t, i === 0);
      m.writeAudio([new Uint8Array(90 + i).fill(0xaa), new Uint8Array(7).fill(0xbb)], t);
    }
    const bytes = m.finishSegment();
    copies.push(Uint8Array.prototype.slice.call(bytes));
    if (recycle) {
      bytes.fill(0x99); // the receiver may scribble on it (e.g. encrypt in place) before giving it back
      m.recycle(bytes);
    }
  }
  return copies;
}

const FRAME_TICKS = 3600; // 25 fps
const SEGMENT_FRAMES = 30;

/**
 * Muxes `count` segments of 30 frames of `frameBytes` each (6 MB segments at 200 KB: the
 * muxer's buffers grow and the bridge is used). `onFinished(i, bytes)` gets each segment as
 * the muxer hands it over; it may recycle at once or later.
 */
function bigSegments(m: TsMuxer, count: number, frameBytes: number, onFinished: (i: number, bytes: Uint8Array) => void): void {
  let t = 126_000;
  for (let s = 0; s < count; s++) {
    m.beginSegment(false);
    for (let i = 0; i < SEGMENT_FRAMES; i++, t += FRAME_TICKS) {
      const nal = new Uint8Array(frameBytes - (i % 7) * 1000).fill((s * 31 + i) & 0xff);
      m.writeVideo([Uint8Array.of(0, 0, 0, 1), nal], t, t, i === 0);
    }
    onFinished(s, m.finishSegment());
  }
}
const hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const segmentTicks = SEGMENT_FRAMES * FRAME_TICKS;

describe('TsMuxer buffer recycling', () => {
  it('a receiver that gives each segment back before the next one outgrows the bridge: one segment buffer for all segments, same bytes', () => {
    const plain: string[] = [];
    bigSegments(new TsMuxer({ segmentTicks }), 6, 200_000, (_, bytes) => plain.push(hex(bytes)));
    const m = new TsMuxer({ segmentTicks });
    const out: string[] = [];
    const buffers = new Set<ArrayBufferLike>();
    bigSegments(m, 6, 200_000, (_, bytes) => {
      out.push(hex(bytes));
      buffers.add(bytes.buffer);
      bytes.fill(0x99); // encrypted in place, written, given back
      m.recycle(bytes);
    });
    expect(out).toEqual(plain);
    expect(buffers.size).toBe(1); // before the bridge: two buffers taken in turns
  });

  it('never writes into segments the receiver still holds: two in its hands while the next is muxed', () => {
    const plain: string[] = [];
    bigSegments(new TsMuxer({ segmentTicks }), 8, 200_000, (_, bytes) => plain.push(hex(bytes)));
    const m = new TsMuxer({ segmentTicks });
    const held: Array<{ i: number; bytes: Uint8Array; copy: string }> = [];
    const checked: number[] = [];
    const giveBack = (h: { i: number; bytes: Uint8Array; copy: string }): void => {
      expect(hex(h.bytes), `segment ${h.i} changed while the receiver held it`).toBe(h.copy);
      expect(h.copy).toBe(plain[h.i]);
      checked.push(h.i);
      h.bytes.fill(0x5a);
      m.recycle(h.bytes);
    };
    bigSegments(m, 8, 200_000, (i, bytes) => {
      held.push({ i, bytes, copy: hex(bytes) });
      if (held.length > 2) giveBack(held.shift()!); // segment i-2 goes back only after i is finished
    });
    for (const h of held.splice(0)) giveBack(h);
    expect(checked).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('muxes the same bytes whether or not segment buffers are given back', () => {
    const plain = segments(new TsMuxer(), 6, false);
    const recycled = segments(new TsMuxer(), 6, true);
    expect(recycled.map((b) => Buffer.from(b).toString('hex'))).toEqual(plain.map((b) => Buffer.from(b).toString('hex')));
    for (const seg of recycled) {
      const packets = readPackets(seg);
      expect(packets.length * 188).toBe(seg.byteLength);
    }
  });

  it('reuses given-back memory for later segments and leaves 16 spare bytes after each segment', () => {
    const m = new TsMuxer();
    const buffers = new Set<ArrayBufferLike>();
    for (let s = 0; s < 8; s++) {
      m.beginSegment(false);
      m.writeVideo([Uint8Array.of(0, 0, 0, 1), new Uint8Array(50_000).fill(0x41)], 126_000 + s * 9000, 126_000 + s * 9000, true);
      const bytes = m.finishSegment();
      const whole = segmentBuffer(bytes)!;
      expect(whole.byteLength).toBeGreaterThanOrEqual(bytes.byteLength + SEGMENT_SPARE_BYTES);
      buffers.add(bytes.buffer);
      m.recycle(bytes);
    }
    expect(buffers.size).toBeLessThanOrEqual(2);
  });

  it('hands out every segment as a plain Uint8Array, fresh or recycled (one shape for V8 to optimize writePes on)', () => {
    const m = new TsMuxer();
    for (let s = 0; s < 4; s++) {
      m.beginSegment(false);
      m.writeVideo([Uint8Array.of(0, 0, 0, 1), new Uint8Array(300_000).fill(0x41)], 126_000 + s * 9000, 126_000 + s * 9000, true);
      const bytes = m.finishSegment();
      expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
      expect(Buffer.isBuffer(bytes)).toBe(false);
      m.recycle(bytes);
    }
  });

  it('ignores views it did not hand out', () => {
    const m = new TsMuxer();
    m.beginSegment(false);
    const first = m.finishSegment();
    m.recycle(new Uint8Array(1 << 20)); // foreign
    m.recycle(first.subarray(188)); // not the start of its buffer
    m.beginSegment(false);
    const second = m.finishSegment();
    expect(second.buffer).not.toBe(first.buffer);
    expect(second.buffer.byteLength).not.toBe(1 << 20);
  });
});
