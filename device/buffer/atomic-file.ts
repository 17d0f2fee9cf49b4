import { constants } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Prefix of files being written; a scan deletes these (a crash mid-write leaves one). */
export const TEMP_PREFIX = '.tmp-';

let counter = 0;

/** Create, truncate, and O_DSYNC: each write returns once its bytes (and the file's size) are on the medium. */
const WRITE_DURABLE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC;

/**
 * Writes `data` to `path` so that a crash at any instant leaves either the old file or
 * the complete new one: write a temp name in the same folder (one gathered write, durable
 * on return: O_DSYNC instead of a separate fsync), rename, fsync the folder (so the rename
 * itself is durable). The one atomic write of the agent (segments, state, event records)
 * and of local mode (PKI, secrets, device.json). A writer that writes into one folder
 * often (the spool) passes a `FolderSync` that keeps the folder open.
 * @param mode permissions of the new file @default 0o600
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[], mode = 0o600, folder?: FolderSync): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `${TEMP_PREFIX}${basename(path)}.${process.pid}.${counter++}`);
  const fh = await open(tmp, WRITE_DURABLE, mode);
  try {
    const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : Array.isArray(data) ? data : [data as Uint8Array];
    await writeAll(fh, chunks);
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  await (folder ? folder.sync() : syncDir(dir));
}

/** All of `chunks` from offset 0, in as few writev calls as the kernel allows (usually one). */
async function writeAll(fh: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  let rest = chunks.filter((c) => c.byteLength !== 0);
  let position = 0;
  while (rest.length) {
    const { bytesWritten } = await fh.writev(rest as Uint8Array[], position);
    if (bytesWritten <= 0) throw new Error(`write returned ${bytesWritten}`);
    position += bytesWritten;
    let left = bytesWritten;
    while (rest.length && left >= rest[0]!.byteLength) left -= rest.shift()!.byteLength;
    if (left > 0) rest = [rest[0]!.subarray(left), ...rest.slice(1)];
  }
}

export async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic there.
  } finally {
    await dh.close();
  }
}

/**
 * fsync of one folder through a handle kept open (one operation instead of open, fsync,
 * close). A failed fsync closes the handle, so the next one opens the folder afresh.
 */
export class FolderSync {
  private handle: FileHandle | undefined;
  constructor(readonly dir: string) {}

  async sync(): Promise<void> {
    this.handle ??= await open(this.dir, 'r');
    try {
      await this.handle.sync();
    } catch {
      // Some file systems refuse fsync on a folder; the rename is still atomic there.
      await this.close();
    }
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => {});
  }
}
