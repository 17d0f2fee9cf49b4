import { open, mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpoolError } from '../core/agent-errors.ts';
import type { Logger } from '../core/json-logger.ts';
import type { UploadItem } from '../core/upload-item.ts';
import { FolderSync, TEMP_PREFIX, writeFileAtomic } from './atomic-file.ts';
import { decodeSpoolEntry, decodeSpoolHeader, encodeSpoolEntry, sha256Hex, SPOOL_PREFIX_BYTES } from './spool-entry-codec.ts';

export const SPOOL_SUFFIX = '.spool';
/** Reads of an entry at start-up before it counts as unreadable for now, and the pause between them. */
const OPEN_READ_ATTEMPTS = 3;
const OPEN_RETRY_MS = 50;
const HEADER_READ_BYTES = 64 * 1024 + SPOOL_PREFIX_BYTES;
/** SHA-256 of no bytes: sizes an entry's header without hashing its body. */
const EMPTY_SHA256 = sha256Hex(new Uint8Array(0));

/** A spooled object: its file, its size on disk and the item it carries. */
export interface SpoolRef {
  readonly file: string;
  readonly fileBytes: number;
  readonly item: UploadItem;
  /** SHA-256 (hex) of the body, as written in the entry's header (checked on every read). */
  readonly bodySha256: string;
}

/** File name: order key first so a directory listing sorts oldest first. */
export function spoolFileName(item: UploadItem): string {
  const safe = item.objectKey.replace(/[^A-Za-z0-9_.-]/g, '_');
  const order = item.kind === 'segment' ? `s-${String(item.seq ?? 0).padStart(16, '0')}` : `${item.kind[0]}-${String(item.createdMs).padStart(13, '0')}`;
  return `${order}-${safe}${SPOOL_SUFFIX}`;
}

/**
 * The disk spool: one file per object, written atomically (temp name, fsync, rename)
 * and carrying its metadata, so a crash at any instant leaves whole entries or none.
 * Holds at most `maxBytes`; `put` never exceeds it: the caller drops the oldest
 * segments first (see `Backlog`). Bodies are checked against their SHA-256 on read.
 */
export class DiskSpool {
  private readonly refs = new Map<string, SpoolRef>();
  private total = 0;
  /** The spool folder, kept open for the fsync after each entry's rename. */
  private readonly folder: FolderSync;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly log: Logger,
  ) {
    this.folder = new FolderSync(dir);
  }

  /**
   * Opens the folder, deletes half-written temp files, and reads every entry's header.
   * Entries proven corrupt (bad header, wrong size) are logged, counted in `corrupt`, and
   * deleted. Entries that fail to read for another reason (EIO, EMFILE, ENOMEM...) are read
   * again a few times; if they still fail they stay on disk, untouched, and are returned in
   * `unreadable` for the caller to try later (see `adopt`).
   */
  static async open(dir: string, maxBytes: number, log: Logger): Promise<{ spool: DiskSpool; recovered: SpoolRef[]; corrupt: number; unreadable: string[] }> {
    await mkdir(dir, { recursive: true });
    const spool = new DiskSpool(dir, maxBytes, log);
    const recovered: SpoolRef[] = [];
    const unreadable: string[] = [];
    let corrupt = 0;
    for (const name of (await readdir(dir)).sort()) {
      const file = join(dir, name);
      if (name.startsWith(TEMP_PREFIX)) {
        log.warn('deleting a half-written spool file left by a crash', { file });
        await rm(file, { force: true });
        continue;
      }
      if (!name.endsWith(SPOOL_SUFFIX)) continue;
      const outcome = await spool.adopt(file, OPEN_READ_ATTEMPTS);
      if (outcome === 'corrupt') corrupt++;
      else if (outcome === 'unreadable') unreadable.push(file);
      else recovered.push(outcome);
    }
    return { spool, recovered, corrupt, unreadable };
  }

  /**
   * Reads an entry's header and tracks it: the entry, 'corrupt' (proven, and deleted) or
   * 'unreadable' (an I/O error after `attempts` tries; left on disk for a later try).
   */
  async adopt(file: string, attempts = 1): Promise<SpoolRef | 'corrupt' | 'unreadable'> {
    for (let attempt = 1; ; attempt++) {
      try {
        const ref = await this.readRef(file);
        this.track(ref);
        return ref;
      } catch (err) {
        if (err instanceof SpoolError && err.corrupt) {
          this.log.error('corrupt spool entry deleted', { file, err });
          await rm(file, { force: true });
          return 'corrupt';
        }
        if (attempt >= attempts) {
          this.log.error('spool entry could not be read (kept on disk; will try again)', { file, err });
          return 'unreadable';
        }
        await sleep(OPEN_RETRY_MS * attempt);
      }
    }
  }

  get bytes(): number {
    return this.total;
  }

  get count(): number {
    return this.refs.size;
  }

  /** Bytes `item` + `body` take on disk. */
  static entryBytes(item: UploadItem, body: Uint8Array): number {
    return encodeSpoolEntry(item, new Uint8Array(0), EMPTY_SHA256).reduce((n, c) => n + c.length, 0) + body.length;
  }

  /** Writes one entry; throws SpoolError if it would exceed the cap or the disk refuses. */
  async put(item: UploadItem, body: Uint8Array): Promise<SpoolRef> {
    const bodySha256 = sha256Hex(body);
    const chunks = encodeSpoolEntry(item, body, bodySha256);
    const fileBytes = chunks.reduce((n, c) => n + c.length, 0);
    if (this.total + fileBytes > this.maxBytes) throw new SpoolError(`spool is full (${this.total} + ${fileBytes} > ${this.maxBytes} bytes)`);
    const file = join(this.dir, spoolFileName(item));
    const ref = { file, fileBytes, item, bodySha256 };
    this.track(ref); // reserve the bytes before the await so concurrent puts respect the cap
    try {
      await writeFileAtomic(file, chunks, undefined, this.folder);
    } catch (cause) {
      this.untrack(file);
      throw new SpoolError(`cannot write spool entry ${file}: ${(cause as Error).message}`, { file, cause });
    }
    return ref;
  }

  /** Reads the body back and checks it against the SHA-256 in its header. */
  async readBody(ref: SpoolRef): Promise<Uint8Array> {
    let data: Buffer;
    try {
      data = await readFile(ref.file);
    } catch (cause) {
      // A file that is gone can never be read; any other error may pass (EIO, EMFILE, ENOMEM).
      const gone = (cause as NodeJS.ErrnoException).code === 'ENOENT';
      throw new SpoolError(`cannot read spool entry ${ref.file}: ${(cause as Error).message}`, { file: ref.file, cause, corrupt: gone });
    }
    return decodeSpoolEntry(data, ref.file).body;
  }

  /**
   * Deletes a confirmed entry. A disk that refuses (EROFS, a dead card) leaves the file: the
   * next start uploads it again and S3's 412 confirms it, so nothing is lost or duplicated.
   */
  async remove(ref: SpoolRef): Promise<void> {
    this.untrack(ref.file);
    try {
      await unlink(ref.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.log.warn('could not delete a confirmed spool entry; it will be confirmed again (412) at the next start', { file: ref.file, err });
    }
  }

  /** Closes the folder handle (the agent stopped); a later write opens it again. */
  close(): Promise<void> {
    return this.folder.close();
  }

  private track(ref: SpoolRef): void {
    this.untrack(ref.file);
    this.refs.set(ref.file, ref);
    this.total += ref.fileBytes;
  }

  private untrack(file: string): void {
    const old = this.refs.get(file);
    if (old) {
      this.total -= old.fileBytes;
      this.refs.delete(file);
    }
  }

  private async readRef(file: string): Promise<SpoolRef> {
    let fh;
    try {
      fh = await open(file, 'r');
    } catch (cause) {
      throw new SpoolError(`cannot open spool entry ${file}: ${(cause as Error).message}`, {
        file,
        cause,
        corrupt: (cause as NodeJS.ErrnoException).code === 'ENOENT',
      });
    }
    try {
      const size = (await fh.stat()).size;
      const buf = Buffer.alloc(Math.min(size, HEADER_READ_BYTES));
      await fh.read(buf, 0, buf.length, 0);
      const { header, bodyOffset } = decodeSpoolHeader(buf, file);
      if (bodyOffset + header.bodyBytes !== size)
        throw new SpoolError(`spool entry is ${size} bytes, header says ${bodyOffset + header.bodyBytes}`, { file, corrupt: true });
      return { file, fileBytes: size, item: header.item, bodySha256: header.bodySha256 };
    } finally {
      await fh.close();
    }
  }
}
