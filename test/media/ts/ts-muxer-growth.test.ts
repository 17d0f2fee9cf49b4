import { describe, expect, it } from 'vitest';
import { TsMuxer, segmentBuffer } from '../../../media/ts/ts-muxer.ts';

const SIX_SECONDS = 6 * 90_000;

/** One 6 s segment at 25 fps: a 300 KB key frame, then 60 KB pictures (~12 Mbit/s); returns it and its buffer. */
function firstSegment(m: TsMuxer): { bytes: Uint8Array; capacity: number } {
  m.beginSegment(false);
  for (let i = 0, t = 126_000; i < 150; i++, t += 3600) {
    m.writeVideo([Uint8Array.of(0, 0, 0, 1), new Uint8Array(i === 0 ? 300_000 : 60_000).fill(i & 0xff)], t, t, i === 0);
  }
  const bytes = m.finishSegment();
  return { bytes, capacity: segmentBuffer(bytes)!.byteLength };
}

describe('TsMuxer segment buffer growth', () => {
  it('sizes a growing first segment from its byte rate over the expected duration: the same bytes, one buffer about the segment size', () => {
    const doubled = firstSegment(new TsMuxer());
    const projected = firstSegment(new TsMuxer({ segmentTicks: SIX_SECONDS }));
    expect(Buffer.from(projected.bytes).equals(Buffer.from(doubled.bytes))).toBe(true);
    // Doubling from 256 KiB ends on a power of two (16 MiB for this ~9.5 MB segment, after
    // six copies); the projection, half a second in (x 1.25, the key frame counted in the
    // rate), is one allocation that holds the whole segment.
    expect(doubled.capacity).toBe(16 * 1024 * 1024);
    expect(projected.capacity).toBeGreaterThan(doubled.bytes.byteLength);
    expect(projected.capacity).toBeLessThan(doubled.capacity);
    expect(Math.log2(projected.capacity) % 1).not.toBe(0);
  });
});
