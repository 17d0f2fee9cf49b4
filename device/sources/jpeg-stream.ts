/**
 * JPEG marker bytes (ITU-T T.81 table B.1) the splitter reads. Every marker is 0xFF then
 * its code; a segment marker is followed by a 2-byte big-endian length that counts itself.
 */
export const JpegMarker = {
  PREFIX: 0xff,
  SOI: 0xd8,
  EOI: 0xd9,
  SOS: 0xda,
  /** RST0..RST7 (0xD0..0xD7): restart markers inside entropy-coded data, no length. */
  RST0: 0xd0,
  RST7: 0xd7,
  /** 0xFF 0x00 in entropy-coded data is a stuffed 0xFF byte, not a marker. */
  STUFFED: 0x00,
} as const;

export interface JpegStreamOptions {
  /** A picture longer than this is dropped (the splitter resyncs at the next SOI). */
  readonly maxBytes: number;
  readonly onImage: (jpeg: Buffer) => void;
  /** Bytes that are not a JPEG were skipped (counted, never thrown). */
  readonly onCorrupt?: (message: string) => void;
}

/**
 * Splits a stream of concatenated JPEGs (ffmpeg's `-f image2pipe -c:v mjpeg`) into whole
 * pictures, whatever the chunking: SOI, then marker segments walked by their lengths up to
 * SOS, then entropy-coded data scanned for the first marker that is not a stuffed byte or a
 * restart marker (the EOI). Bounded: it holds at most one picture (`maxBytes`).
 */
export class JpegStream {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly o: JpegStreamOptions) {}

  push(chunk: Uint8Array): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    for (;;) {
      const start = this.findSoi();
      if (start < 0) {
        // Keep a trailing 0xFF: it may be the first half of the next SOI.
        const keep = this.buf.length && this.buf[this.buf.length - 1] === JpegMarker.PREFIX ? 1 : 0;
        if (this.buf.length > keep) this.o.onCorrupt?.(`${this.buf.length - keep} bytes before a JPEG start (SOI) skipped`);
        this.buf = this.buf.subarray(this.buf.length - keep);
        return;
      }
      if (start > 0) {
        this.o.onCorrupt?.(`${start} bytes before a JPEG start (SOI) skipped`);
        this.buf = this.buf.subarray(start);
      }
      const end = jpegEnd(this.buf);
      if (end === undefined) {
        if (this.buf.length > this.o.maxBytes) {
          this.o.onCorrupt?.(`a picture over ${this.o.maxBytes} bytes (or without an end) skipped`);
          this.buf = this.buf.subarray(2);
          continue;
        }
        return;
      }
      if (end < 0) {
        this.o.onCorrupt?.('a JPEG with a broken marker segment skipped');
        this.buf = this.buf.subarray(2);
        continue;
      }
      if (end > this.o.maxBytes) {
        this.o.onCorrupt?.(`a picture of ${end} bytes, over ${this.o.maxBytes}, skipped`);
        this.buf = this.buf.subarray(end);
        continue;
      }
      const jpeg = Buffer.from(this.buf.subarray(0, end));
      this.buf = this.buf.subarray(end);
      this.o.onImage(jpeg);
    }
  }

  private findSoi(): number {
    for (let i = 0; i + 1 < this.buf.length; i++) if (this.buf[i] === JpegMarker.PREFIX && this.buf[i + 1] === JpegMarker.SOI) return i;
    return -1;
  }
}

/**
 * The length of the JPEG at the start of `b` (which starts with SOI): the offset just past
 * its EOI; undefined when more bytes are needed; -1 when the structure is broken.
 */
export function jpegEnd(b: Uint8Array): number | undefined {
  let i = 2;
  // Marker segments: FF xx LL LL ..., until SOS.
  for (;;) {
    if (i + 4 > b.length) return undefined;
    if (b[i] !== JpegMarker.PREFIX) return -1;
    const code = b[i + 1]!;
    if (code === JpegMarker.PREFIX) {
      i++; // fill byte
      continue;
    }
    if (code === JpegMarker.EOI) return i + 2;
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    if (len < 2) return -1;
    i += 2 + len;
    if (code === JpegMarker.SOS) break;
  }
  // Entropy-coded data: the next FF that is not FF 00 nor a restart marker ends it.
  for (; i + 1 < b.length; i++) {
    if (b[i] !== JpegMarker.PREFIX) continue;
    const next = b[i + 1]!;
    if (next === JpegMarker.STUFFED || (next >= JpegMarker.RST0 && next <= JpegMarker.RST7) || next === JpegMarker.PREFIX) continue;
    if (next === JpegMarker.EOI) return i + 2;
    // Another marker (e.g. a second scan of a progressive JPEG): walk it as a segment.
    if (i + 4 > b.length) return undefined;
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    if (len < 2) return -1;
    i += 1 + len;
  }
  return undefined;
}
