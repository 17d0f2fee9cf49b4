import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decryptSegment, encryptSegment } from '../../../../device/media/encrypt/encrypt-segment.ts';
import { SEGMENT_FILE_PART_BYTES, SegmentFileStream } from '../../../../device/media/file/segment-file-stream.ts';

const root = mkdtempSync(join(tmpdir(), 'camrec-segment-file-stream-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => {
  const d = join(root, String(n++));
  mkdirSync(d);
  return d;
};

/** Segment bytes in parts of odd sizes (not multiples of the AES block). */
function parts(seed: number, sizes: number[]): Uint8Array[] {
  return sizes.map((size, i) => new Uint8Array(size).map((_, j) => (j * 131 + i * 17 + seed) & 0xff));
}

/** Streams `segment` as the muxer does: each part's memory is overwritten as soon as onPart returns. */
function stream(s: SegmentFileStream, segment: Uint8Array[]): void {
  segment.forEach((p, i) => {
    const reused = Uint8Array.prototype.slice.call(p) as Uint8Array;
    s.onPart(reused, i === segment.length - 1);
    reused.fill(0x99);
  });
}

describe('SegmentFileStream', () => {
  it.each([
    ['writes on the thread pool', undefined],
    ['writes at once (too much in flight)', 0],
  ])('%s: each segment in its own file, HLS AES-128 with a fresh IV per segment, the bytes encryptSegment() gives for the whole', async (_, maxPending) => {
    const dir = freshDir();
    const key = randomBytes(16);
    const s = new SegmentFileStream(dir, key, SEGMENT_FILE_PART_BYTES, maxPending);
    const segments = [parts(1, [188 * 700, 188 * 3, 188 * 1500]), parts(2, [188 * 10]), parts(3, [188 * 2000, 0])];
    for (const segment of segments) stream(s, segment);
    const ivs = new Set<string>();
    for (const segment of segments) {
      const f = await s.takeFinished();
      const written = readFileSync(f.path);
      const plain = Buffer.concat(segment);
      expect(f.bytes).toBe(written.byteLength);
      expect(written.equals(Buffer.from(encryptSegment(plain, key, f.iv!)))).toBe(true);
      expect(Buffer.from(decryptSegment(written, key, f.iv!)).equals(plain)).toBe(true);
      ivs.add(Buffer.from(f.iv!).toString('hex'));
    }
    expect(ivs.size).toBe(3);
    await expect(s.takeFinished()).rejects.toThrow(/no finished segment/);
  });

  it('without a key writes the plain bytes (copied: the muxer reuses its memory) and gives no IV', async () => {
    const s = new SegmentFileStream(freshDir(), undefined);
    const segment = parts(4, [188 * 5, 188 * 7]);
    stream(s, segment);
    const f = await s.takeFinished();
    expect(f.iv).toBeUndefined();
    expect(readFileSync(f.path).equals(Buffer.concat(segment))).toBe(true);
  });

  it('removes a thrown-away segment file and goes on with the next segment', async () => {
    const dir = freshDir();
    const s = new SegmentFileStream(dir, randomBytes(16));
    s.onPart(parts(5, [188 * 100])[0]!, false);
    s.onDiscard();
    stream(s, parts(6, [188 * 3]));
    const f = await s.takeFinished();
    await s.close(); // the thrown-away file is removed in the background: close() waits for it (and keeps taken files)
    expect(readdirSync(dir)).toEqual(['.segment-1.partial']);
    expect(f.path).toBe(join(dir, '.segment-1.partial'));
  });

  it('a write the disk refuses (ENOSPC) fails that segment with the file named and what to check; later parts throw it; no file is left', async () => {
    const dir = freshDir();
    symlinkSync('/dev/full', join(dir, '.segment-0.partial')); // a full disk: every write fails with ENOSPC
    const s = new SegmentFileStream(dir, randomBytes(16));
    stream(s, parts(7, [188 * 40, 188 * 2]));
    await expect(s.takeFinished()).rejects.toThrow(/could not write .*\.segment-0\.partial: ENOSPC.*check the output folder: free space/);
    expect(() => s.onPart(parts(8, [188])[0]!, false)).toThrow(/ENOSPC/);
    await s.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a folder that went away: the first part throws at once with the path', () => {
    const dir = freshDir();
    const s = new SegmentFileStream(dir, randomBytes(16));
    rmSync(dir, { recursive: true });
    expect(() => s.onPart(parts(9, [188 * 4])[0]!, false)).toThrow(/could not write .*\.segment-0\.partial: ENOENT.*check the output folder/);
  });

  it('close() waits for the writes and removes every file not taken: one half written, one finished but never named', async () => {
    const dir = freshDir();
    const s = new SegmentFileStream(dir, randomBytes(16));
    stream(s, parts(10, [188 * 3000]));
    s.onPart(parts(11, [188 * 3000])[0]!, false);
    await s.close();
    expect(readdirSync(dir)).toEqual([]);
    await s.close(); // twice is harmless
  });

  it('refuses a key that is not 16 bytes', () => {
    expect(() => new SegmentFileStream(freshDir(), new Uint8Array(15))).toThrow(/AES-128 key must be 16 bytes, got 15/);
  });
});
