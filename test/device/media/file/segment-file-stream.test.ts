import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decryptSegment, encryptSegment } from '../../../../device/media/encrypt/encrypt-segment.ts';
import { SegmentFileStream } from '../../../../device/media/file/segment-file-stream.ts';

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

describe('SegmentFileStream', () => {
  it('writes each segment to its own file as it comes, HLS AES-128 with a fresh IV per segment: the bytes encryptSegment() gives for the whole', () => {
    const dir = freshDir();
    const key = randomBytes(16);
    const stream = new SegmentFileStream(dir, key);
    const segments = [parts(1, [188 * 700, 188 * 3, 188 * 1500]), parts(2, [188 * 10]), parts(3, [188 * 2000, 0])];
    for (const segment of segments) segment.forEach((p, i) => stream.onPart(p, i === segment.length - 1));
    const ivs = new Set<string>();
    for (const segment of segments) {
      const f = stream.takeFinished();
      const written = readFileSync(f.path);
      const plain = Buffer.concat(segment);
      expect(f.bytes).toBe(written.byteLength);
      expect(written.equals(Buffer.from(encryptSegment(plain, key, f.iv!)))).toBe(true);
      expect(Buffer.from(decryptSegment(written, key, f.iv!)).equals(plain)).toBe(true);
      ivs.add(Buffer.from(f.iv!).toString('hex'));
    }
    expect(ivs.size).toBe(3);
    expect(() => stream.takeFinished()).toThrow(/no finished segment/);
  });

  it('without a key writes the plain bytes and gives no IV', () => {
    const dir = freshDir();
    const stream = new SegmentFileStream(dir, undefined);
    const segment = parts(4, [188 * 5, 188 * 7]);
    stream.onPart(segment[0]!, false);
    stream.onPart(segment[1]!, true);
    const f = stream.takeFinished();
    expect(f.iv).toBeUndefined();
    expect(readFileSync(f.path).equals(Buffer.concat(segment))).toBe(true);
  });

  it('removes a thrown-away segment file and goes on with the next segment', () => {
    const dir = freshDir();
    const stream = new SegmentFileStream(dir, randomBytes(16));
    stream.onPart(parts(5, [188 * 100])[0]!, false);
    expect(readdirSync(dir)).toHaveLength(1);
    stream.onDiscard();
    expect(readdirSync(dir)).toHaveLength(0);
    stream.onPart(parts(6, [188 * 3])[0]!, true);
    expect(existsSync(stream.takeFinished().path)).toBe(true);
  });

  it('a failed write says which file and what to check, and every later part fails the same way', () => {
    const dir = freshDir();
    const stream = new SegmentFileStream(dir, randomBytes(16));
    rmSync(dir, { recursive: true }); // the output folder went away under the writer
    const part = parts(7, [188 * 4])[0]!;
    expect(() => stream.onPart(part, false)).toThrow(/could not write .*\.segment-0\.partial: ENOENT.*check the output folder/);
    mkdirSync(dir);
    expect(() => stream.onPart(part, true)).toThrow(/could not write .*\.segment-0\.partial: ENOENT/);
    expect(readdirSync(dir)).toHaveLength(0);
  });

  it('close() removes a segment file still being written (a run that failed elsewhere)', () => {
    const dir = freshDir();
    const stream = new SegmentFileStream(dir, randomBytes(16));
    stream.onPart(parts(8, [188 * 50])[0]!, false);
    stream.close();
    expect(readdirSync(dir)).toHaveLength(0);
    stream.close(); // twice is harmless
  });

  it('refuses a key that is not 16 bytes', () => {
    expect(() => new SegmentFileStream(freshDir(), new Uint8Array(15))).toThrow(/AES-128 key must be 16 bytes, got 15/);
  });
});
