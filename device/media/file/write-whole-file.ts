import { open } from 'node:fs/promises';

/**
 * Writes `bytes` to `path` (created or truncated) with one write call for the whole
 * buffer (repeated only if the OS writes less). fs.promises.writeFile would split it into
 * 512 KB writes, one event-loop round trip each.
 */
export async function writeWholeFile(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    let at = 0;
    while (at < bytes.byteLength) {
      const { bytesWritten } = await handle.write(bytes, at, bytes.byteLength - at, at);
      at += bytesWritten;
    }
  } finally {
    await handle.close();
  }
}
