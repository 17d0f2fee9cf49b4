import type { Cipher } from 'node:crypto';
import { close, openSync, unlink, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SegmentStream } from '../../../media/ts/segment-stream.ts';
import { MediaArgumentError } from '../../../media/media-error.ts';
import { AES_128_KEY_BYTES, createSegmentCipher, randomSegmentIv } from '../encrypt/encrypt-segment.ts';

/**
 * Bytes per part: small enough that a part and its ciphertext stay in a core's 1 MB L2
 * cache; `camrec segment` on the 121.5 MB bench input, 9 runs each, interleaved: whole
 * process median 798 ms with whole segments, 692 ms at 64 KB, 674 ms at 256 KB, 752 ms at 1 MB.
 */
export const SEGMENT_FILE_PART_BYTES = 256 * 1024;
/**
 * Bytes of writes in flight past which a part is written at once instead (synchronously):
 * a disk slower than the muxer holds it back rather than filling memory with ciphertext.
 */
export const MAX_PENDING_WRITE_BYTES = 8 * 1024 * 1024;

/** A segment written whole to its partial file, waiting for its place in the playlist. */
export interface StreamedSegmentFile {
  /** The partial file: rename it to the segment's name. */
  readonly path: string;
  /** The segment's AES-128 IV (a fresh random one per segment), when encrypted. */
  readonly iv?: Uint8Array;
  /** Bytes in the file (ciphertext with its padding when encrypted). */
  readonly bytes: number;
}

/** A segment file being written. */
interface OpenFile {
  /** -1 once closed. */
  fd: number;
  readonly path: string;
  readonly iv: Uint8Array | undefined;
  readonly cipher: Cipher | undefined;
  /** Resolves once the file is written and closed; rejects with its write error, or when it is thrown away. */
  readonly done: Promise<StreamedSegmentFile>;
  readonly settle: (result: StreamedSegmentFile | Error) => void;
  /** Bytes handed to writes so far (the next write's position). */
  written: number;
  /** Writes not yet completed. */
  pending: number;
  /** No more writes will come: close it once `pending` is 0. */
  ended: boolean;
  /** Thrown away (a discard, a failure, close()): removed once closed. */
  dropped: boolean;
  error: Error | undefined;
}

/**
 * A SegmentStream that writes each MPEG-TS segment to a file in `dir` as it is muxed,
 * HLS AES-128 encrypted (AES-128-CBC, PKCS#7, a random IV per segment) when a key is given.
 * Each part is encrypted while it is still in the CPU's cache, and no segment is ever held
 * whole. The ciphertext goes out in positional writes on libuv's thread pool (the kernel's
 * copy runs beside the muxing); with MAX_PENDING_WRITE_BYTES in flight a part is written
 * synchronously instead.
 *
 * A segment is written to `.segment-N.partial` (N counts the segments streamed);
 * takeFinished() gives the finished ones in order, once written and closed, for the caller
 * to rename once it knows the segment's name. A discarded segment's file is removed. After
 * a failed write every later part throws the error and the segment's takeFinished()
 * rejects with it; close() waits for the writes and removes every file not taken.
 */
export class SegmentFileStream implements SegmentStream {
  readonly partBytes: number;
  /** Files streamed to the end (or failed), oldest first, not yet taken. */
  private readonly finished: OpenFile[] = [];
  /** Files not closed yet, each with the promise of its close (and removal when dropped). */
  private readonly closing = new Map<OpenFile, Promise<void>>();
  private current: OpenFile | undefined;
  private pendingBytes = 0;
  private started = 0;
  private failed: Error | undefined;

  constructor(
    private readonly dir: string,
    private readonly key: Uint8Array | undefined,
    partBytes = SEGMENT_FILE_PART_BYTES,
    private readonly maxPendingBytes = MAX_PENDING_WRITE_BYTES,
  ) {
    if (key && key.byteLength !== AES_128_KEY_BYTES)
      throw new MediaArgumentError(`AES-128 key must be ${AES_128_KEY_BYTES} bytes, got ${key.byteLength}: pass a 16-byte key`);
    this.partBytes = partBytes;
  }

  onPart(bytes: Uint8Array, last: boolean): void {
    if (this.failed) throw this.failed;
    const f = this.current ?? this.open();
    try {
      // The muxer reuses `bytes` at once: cipher.update() returns new memory; plain bytes are copied.
      this.write(f, f.cipher ? f.cipher.update(bytes) : Buffer.from(bytes));
      if (last) {
        if (f.cipher) this.write(f, f.cipher.final());
        this.current = undefined;
        this.finished.push(f);
        this.end(f);
      }
    } catch (err) {
      throw this.fail(f, err as Error);
    }
  }

  onDiscard(): void {
    const f = this.current;
    if (!f) return;
    this.current = undefined;
    f.dropped = true;
    this.end(f);
  }

  /** The oldest finished segment not yet taken, once written and closed; rejects with its write error, or when there is none. */
  takeFinished(): Promise<StreamedSegmentFile> {
    const f = this.finished.shift();
    return f
      ? f.done
      : Promise.reject(new Error('SegmentFileStream.takeFinished: no finished segment (each streamed segment is taken once, after its last part)'));
  }

  /** Ends the run: waits for the writes in flight, then removes every file not taken (a segment left half written, or finished but never named). */
  async close(): Promise<void> {
    this.onDiscard();
    const untaken = this.finished.splice(0);
    for (const f of untaken) f.dropped = true; // those still open are removed as they close
    await Promise.all(this.closing.values());
    await Promise.all(untaken.map((f) => f.done.then((closed) => new Promise<void>((done) => unlink(closed.path, () => done())), noop)));
  }

  private open(): OpenFile {
    const path = join(this.dir, `.segment-${this.started++}.partial`);
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (err) {
      this.failed = writeError(path, err as Error);
      throw this.failed;
    }
    const iv = this.key ? randomSegmentIv() : undefined;
    let settle!: OpenFile['settle'];
    const done = new Promise<StreamedSegmentFile>((resolve, reject) => {
      settle = (r) => (r instanceof Error ? reject(r) : resolve(r));
    });
    done.catch(() => {}); // its taker sees the error; a run that failed before taking it does not crash on it
    const cipher = this.key && iv ? createSegmentCipher(this.key, iv) : undefined;
    const f: OpenFile = { fd, path, iv, cipher, done, settle, written: 0, pending: 0, ended: false, dropped: false, error: undefined };
    // Settled once the file is closed, and removed when thrown away: close() waits for that.
    this.closing.set(
      f,
      done.then(noop, noop).finally(() => this.closing.delete(f)),
    );
    this.current = f;
    return f;
  }

  /** `bytes` (memory no one else writes to) at the file's end: on the thread pool, or at once when too much is in flight. */
  private write(f: OpenFile, bytes: Uint8Array): void {
    const position = f.written;
    f.written += bytes.byteLength;
    if (this.pendingBytes >= this.maxPendingBytes) {
      for (let p = 0; p < bytes.byteLength;) {
        const n = writeSync(f.fd, bytes, p, bytes.byteLength - p, position + p);
        if (n === 0) throw new Error('the disk took no bytes');
        p += n;
      }
    } else {
      this.writeAt(f, bytes, 0, position);
    }
  }

  /** bytes[offset..] at `position`, on the thread pool (a short write goes on from where it stopped). */
  private writeAt(f: OpenFile, bytes: Uint8Array, offset: number, position: number): void {
    const length = bytes.byteLength - offset;
    write(f.fd, bytes, offset, length, position, (err, n) => {
      this.pendingBytes -= length;
      f.pending--;
      if (err) this.fail(f, err);
      else if (n === 0 && length > 0) this.fail(f, new Error('the disk took no bytes'));
      else if (n < length && !f.dropped) this.writeAt(f, bytes, offset + n, position + n);
      this.closeIfDone(f);
    });
    // Counted once the call is made (a call that throws leaves nothing in flight).
    this.pendingBytes += length;
    f.pending++;
  }

  private end(f: OpenFile): void {
    f.ended = true;
    this.closeIfDone(f);
  }

  /** Ends `f` with a write error (it is removed once closed); returns the stream's first error. */
  private fail(f: OpenFile, err: Error): Error {
    f.error ??= writeError(f.path, err);
    this.failed ??= f.error;
    if (this.current === f) this.current = undefined;
    this.end(f);
    return this.failed;
  }

  /** Closes a file whose writes are all done (removing it when dropped or failed), then settles it. */
  private closeIfDone(f: OpenFile): void {
    if (!f.ended || f.pending > 0 || f.fd < 0) return;
    const fd = f.fd;
    f.fd = -1;
    close(fd, (closeErr) => {
      const err = f.error ?? (closeErr ? writeError(f.path, closeErr) : undefined);
      if (!f.dropped && !err) return f.settle({ path: f.path, bytes: f.written, ...(f.iv ? { iv: f.iv } : {}) });
      unlink(f.path, () => f.settle(err ?? new Error(`${f.path}: thrown away`)));
    });
  }
}

function noop(): void {}

/** A write problem, naming the file and what to check. */
function writeError(path: string, err: Error): Error {
  return new Error(`could not write ${path}: ${err.message} (check the output folder: free space, permissions)`, { cause: err });
}
