import { MediaError } from '../media-error.ts';

/** Raised when a header runs past the end of its bytes (a truncated or corrupt NAL unit). */
export class BitReaderOverrun extends MediaError {
  override readonly name = 'BitReaderOverrun';
}

/** MSB-first bit reader with Exp-Golomb codes (H.264 9.1, H.265 9.2) over RBSP bytes. */
export class BitReader {
  private bitPos = 0;
  private bitEnd: number;

  /** Reads `data`'s first `byteLength` bytes (default all). */
  constructor(
    private data: Uint8Array,
    byteLength = data.byteLength,
  ) {
    this.bitEnd = byteLength * 8;
  }

  /** Reads other bytes from their first bit: one reader for many short headers, no allocation each. */
  reset(data: Uint8Array, byteLength = data.byteLength): this {
    this.data = data;
    this.bitEnd = byteLength * 8;
    this.bitPos = 0;
    return this;
  }

  bitsLeft(): number {
    return this.bitEnd - this.bitPos;
  }

  u1(): number {
    if (this.bitPos >= this.bitEnd) throw new BitReaderOverrun('header runs past the end of the NAL unit');
    const bit = (this.data[this.bitPos >> 3]! >> (7 - (this.bitPos & 7))) & 1;
    this.bitPos++;
    return bit;
  }

  /** u(n), n <= 32. */
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.u1();
    return v;
  }

  skip(n: number): void {
    for (let i = 0; i < n; i++) this.u1();
  }

  /** ue(v): leadingZeroBits zeros, a 1, then leadingZeroBits bits; value 2^lz - 1 + bits. */
  ue(): number {
    let lz = 0;
    while (this.u1() === 0) {
      if (++lz > 31) throw new BitReaderOverrun('Exp-Golomb code longer than 32 bits (corrupt header)');
    }
    // A shift while the value stays a small integer: 2 ** lz is a heap number in V8's interpreter.
    return (lz < 30 ? (1 << lz) - 1 : 2 ** lz - 1) + this.u(lz);
  }

  /** se(v): ue k mapped to (-1)^(k+1) * ceil(k/2). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}
