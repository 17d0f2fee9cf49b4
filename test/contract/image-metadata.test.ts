import { describe, expect, it } from 'vitest';
import { ImageMeta, jpegProblem, parseImageMetadata, toImageItem, toImageS3Metadata } from '../../contract/index.ts';

/** The smallest byte layout jpegProblem reads: SOI (FF D8), a marker (FF xx), ..., EOI (FF D9). */
const SOI_APP0 = [0xff, 0xd8, 0xff, 0xe0];
const EOI = [0xff, 0xd9];
const jpeg = (body: number[] = [0x00, 0x10]) => Uint8Array.from([...SOI_APP0, ...body, ...EOI]);

describe('JPEG framing check', () => {
  it('accepts SOI ... EOI, and zero padding after EOI', () => {
    expect(jpegProblem(jpeg())).toBeUndefined();
    expect(jpegProblem(Uint8Array.from([...jpeg(), 0, 0, 0]))).toBeUndefined();
  });

  it('says what is wrong: empty, not a JPEG (PNG), cut short, too big', () => {
    expect(jpegProblem(new Uint8Array())).toMatch(/empty/);
    expect(jpegProblem(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toMatch(/not a JPEG: it does not start with the SOI marker/);
    expect(jpegProblem(jpeg().subarray(0, 6))).toMatch(/cut short: it does not end with the EOI marker/);
    expect(jpegProblem(jpeg(new Array(100).fill(1)), 50)).toMatch(/over the limit of 50/);
    expect(jpegProblem(Uint8Array.from([...jpeg(), ...new Array(40).fill(0)]))).toMatch(/cut short/);
  });
});

describe('picture metadata and index item', () => {
  const meta = { tsMs: 1_767_323_045_000, keyId: 'ab'.repeat(16), iv: 'cd'.repeat(16) };

  it('round-trips through S3 metadata, with and without an event id', () => {
    expect(parseImageMetadata(toImageS3Metadata(meta))).toEqual(meta);
    expect(parseImageMetadata(toImageS3Metadata({ ...meta, eventId: 'ring-1' }))).toEqual({ ...meta, eventId: 'ring-1' });
  });

  it('lists every problem at once', () => {
    expect(() => parseImageMetadata({ [ImageMeta.TS_MS]: 'soon', [ImageMeta.KEY_ID]: 'x', [ImageMeta.IV]: 'y', [ImageMeta.EVENT_ID]: 'a b' })).toThrow(
      /ts-ms="soon" must be UTC ms.*key id.*iv must be 32 lowercase hex digits.*event id/,
    );
  });

  it('the index item sorts by time and expires after its retention', () => {
    const item = toImageItem('cam-1', 'ab12', meta, 'images/cam-1/x.jpg', 4096, 30);
    expect(item.sk).toBe('img#1767323045000#ab12');
    expect(item.ttl).toBe(1_767_323_045 + 30 * 86_400);
  });
});
