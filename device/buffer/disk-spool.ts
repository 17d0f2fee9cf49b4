import { open, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SpoolError } from '../agent/agent-errors.ts';
import type { Logger } from '../agent/json-logger.ts';
import type { UploadItem } from '../upload/upload-item.ts';
import { TEMP_PREFIX, writeFileAtomic } from './atomic-file.ts';
import { decodeSpoolEntry, decodeSpoolHeader, encodeSpoolEntry, SPOOL_PREFIX_BYTES } from './spool-entry-codec.ts';

export const SPOOL_SUFFIX = '.spool';
const HEADER_READ_BYTES = 64 * 1024 + SPOOL_PREFIX_BYTES;

/** A spooled object: its file, its size on disk and the item it carries. */
export interface SpoolRef {
  readonly file: string;
  readonly fileBytes: number;
  readonly item: UploadItem;
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

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly log: Logger,
  ) {}

  /**
   * Opens the folder, deletes half-written temp files, and reads every entry's header.
   * Entries that cannot be read are logged, counted in `corrupt`, and deleted.
   */
  static async open(dir: string, maxBytes: number, log: Logger): Promise<{ spool: DiskSpool; recovered: SpoolRef[]; corrupt: number }> {
    await mkdir(dir, { recursive: true });
    const spool = new DiskSpool(dir, maxBytes, log);
    const recovered: SpoolRef[] = [];
    let corrupt = 0;
    for (const name of (await readdir(dir)).sort()) {
      const file = join(dir, name);
      if (name.startsWith(TEMP_PREFIX)) {
        log.warn('deleting a half-written spool file left by a crash', { file });
        await rm(file, { force: true });
        continue;
      }
      if (!name.endsWith(SPOOL_SUFFIX)) continue;
      try {
        const ref = await spool.readRef(file);
        spool.track(ref);
        recovered.push(ref);
      } catch (err) {
        corrupt++;
        log.error('unreadable spool entry deleted', { file, err });
        await rm(file, { force: true });
      }
    }
    return { spool, recovered, corrupt };
  }

  get bytes(): number {
    return this.total;
  }

  get count(): number {
    return this.refs.size;
  }

  /** Bytes `item` + `body` take on disk. */
  static entryBytes(item: UploadItem, body: Uint8Array): number {
    return encodeSpoolEntry(item, new Uint8Array(0)).reduce((n, c) => n + c.length, 0) + body.length;
  }

  /** Writes one entry; throws SpoolError if it would exceed the cap or the disk refuses. */
  async put(item: UploadItem, body: Uint8Array): Promise<SpoolRef> {
    const chunks = encodeSpoolEntry(item, body);
    const fileBytes = chunks.reduce((n, c) => n + c.length, 0);
    if (this.total + fileBytes > this.maxBytes) throw new SpoolError(`spool is full (${this.total} + ${fileBytes} > ${this.maxBytes} bytes)`);
    const file = join(this.dir, spoolFileName(item));
    const ref = { file, fileBytes, item };
    this.track(ref); // reserve the bytes before the await so concurrent puts respect the cap
    try {
      await writeFileAtomic(file, chunks);
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
      throw new SpoolError(`cannot read spool entry ${ref.file}: ${(cause as Error).message}`, { file: ref.file, cause });
    }
    return decodeSpoolEntry(data, ref.file).body;
  }

  async remove(ref: SpoolRef): Promise<void> {
    this.untrack(ref.file);
    await rm(ref.file, { force: true });
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
    const fh = await open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      const buf = Buffer.alloc(Math.min(size, HEADER_READ_BYTES));
      await fh.read(buf, 0, buf.length, 0);
      const { header, bodyOffset } = decodeSpoolHeader(buf, file);
      if (bodyOffset + header.bodyBytes !== size) throw new SpoolError(`spool entry is ${size} bytes, header says ${bodyOffset + header.bodyBytes}`, { file });
      return { file, fileBytes: size, item: header.item };
    } finally {
      await fh.close();
    }
  }
}

