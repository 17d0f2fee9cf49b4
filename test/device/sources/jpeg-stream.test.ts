import { describe, expect, it } from 'vitest';
import { JpegStream, jpegEnd } from '../../../device/sources/jpeg-stream.ts';
import { makeJpeg } from '../../support/jpeg-fixture.ts';

/** ffmpeg's image2pipe output: JPEGs back to back. The splitter must return each whole, whatever the chunking. */
function split(bytes: Buffer, cuts: number[], maxBytes = 1 << 20): { images: Buffer[]; corrupt: string[] } {
  const images: Buffer[] = [];
  const corrupt: string[] = [];
  const s = new JpegStream({ maxBytes, onImage: (j) => images.push(j), onCorrupt: (m) => corrupt.push(m) });
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    s.push(bytes.subarray(at, c));
    at = c;
  }
  return { images, corrupt };
}

describe('JpegStream', () => {
  const a = makeJpeg(160, 90, 'testsrc');
  const b = makeJpeg(160, 90, 'smptebars');
  const both = Buffer.concat([a, b]);

  it('finds the end of a real JPEG by its markers (SOI, segments to SOS, entropy data to EOI)', () => {
    expect(jpegEnd(a)).toBe(a.length);
    expect(jpegEnd(a.subarray(0, a.length - 1))).toBeUndefined();
    expect(jpegEnd(Buffer.from([0xff, 0xd8, 0x12, 0x34, 0, 0]))).toBe(-1);
  });

  it('returns both pictures whole when the stream is split at any one offset', () => {
    for (let cut = 0; cut <= both.length; cut++) {
      const { images, corrupt } = split(both, [cut]);
      expect(images.length, `cut at ${cut}`).toBe(2);
      expect(images[0]!.equals(a) && images[1]!.equals(b), `cut at ${cut}`).toBe(true);
      expect(corrupt).toEqual([]);
    }
  });

  it('skips bytes that are not a JPEG (counted), and a picture over the limit, then resyncs at the next SOI', () => {
    const { images, corrupt } = split(Buffer.concat([Buffer.from('junk'), a, b]), [3, 100]);
    expect(images.map((i) => i.length)).toEqual([a.length, b.length]);
    const skipped = corrupt.map((m) => Number(/^(\d+) bytes before a JPEG start/.exec(m)?.[1] ?? 0)).reduce((x, y) => x + y, 0);
    expect(skipped).toBe(4);
    const small = split(both, [], a.length - 10);
    expect(small.corrupt.some((m) => /over/.test(m))).toBe(true);
  });
});
