/**
 * Where a muxer streams segments out as it writes them, instead of handing each one over
 * whole: a file writer encrypts and writes every part while it is still in the CPU's cache,
 * and the muxer's buffer stays the size of a part (a 6 s segment at 26 Mbit/s is ~20 MB
 * held, encrypted and written from memory otherwise). For writers that need no segment
 * whole, such as `camrec segment`; the agent uploads whole segments and does not stream.
 */
export interface SegmentStream {
  /** The muxer hands bytes over once the open segment holds at least this many unsent (at a PES boundary). */
  readonly partBytes: number;
  /**
   * The open segment's next bytes, in order (whole 188-byte packets); `last` marks its final
   * part (from finishSegment(), possibly empty). Synchronous: consume or copy the bytes
   * before returning, the muxer reuses their memory at once. An exception thrown here comes
   * out of the muxer's write call.
   */
  onPart(bytes: Uint8Array, last: boolean): void;
  /** The open segment was thrown away after some of it was handed over: drop what was sent. */
  onDiscard(): void;
}
