import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Prefix of files being written; a scan deletes these (a crash mid-write leaves one). */
export const TEMP_PREFIX = '.tmp-';

let counter = 0;

/**
 * Writes `data` to `path` so that a crash at any instant leaves either the old file or
 * the complete new one: write a temp name in the same folder, fsync, rename, fsync the
 * folder (so the rename itself is durable). The one atomic write of the agent (segments,
 * state, event records) and of local mode (PKI, secrets, device.json).
 * @param mode permissions of the new file @default 0o600
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[], mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `${TEMP_PREFIX}${basename(path)}.${process.pid}.${counter++}`);
  const fh = await open(tmp, 'w', mode);
  try {
    const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : Array.isArray(data) ? data : [data as Uint8Array];
    for (const c of chunks) await fh.write(c as Uint8Array);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  await syncDir(dir);
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
