import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real folder whose disk can be made to fail, for spool tests: a small tmpfs mounted on
 * it (what `mount` allows as root), which can be filled to ENOSPC or remounted read-only
 * (EROFS). Where mounting is not permitted, the folder's path itself is made to fail
 * (the folder is moved away and a file put in its place: every write gets ENOTDIR), as a
 * card that drops off the bus leaves a mount point behind. `failure` names what was used.
 */
export interface FailingDisk {
  readonly dir: string;
  readonly failure: 'ENOSPC' | 'EROFS' | 'ENOTDIR';
  /** Makes every write in `dir` fail from now on. */
  fail(): Promise<void>;
  /** Undoes it (the disk comes back, with what was on it). */
  heal(): Promise<void>;
  dispose(): Promise<void>;
}

async function tryMount(dir: string, sizeBytes: number): Promise<boolean> {
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir]);
    return true;
  } catch {
    return false;
  }
}

/** `mode` 'full' fills the tmpfs (ENOSPC), 'read-only' remounts it (EROFS); both fall back to ENOTDIR without mount. */
export async function failingDisk(dir: string, mode: 'full' | 'read-only'): Promise<FailingDisk> {
  mkdirSync(dir, { recursive: true });
  const size = 4 * 1024 * 1024;
  // CAMREC_TEST_NO_MOUNT=1 exercises the fallback where mount is refused.
  if (process.env.CAMREC_TEST_NO_MOUNT !== '1' && (await tryMount(dir, size))) {
    const filler = `${dir}/.filler`;
    return {
      dir,
      failure: mode === 'full' ? 'ENOSPC' : 'EROFS',
      async fail() {
        if (mode === 'read-only') await run('mount', ['-o', 'remount,ro', dir]);
        else {
          // Fill to the last byte: write chunks until the kernel says ENOSPC.
          const chunk = Buffer.alloc(64 * 1024, 1);
          for (let i = 0; i < size / chunk.length + 2; i++) {
            try {
              writeFileSync(filler, chunk, { flag: 'a' });
            } catch {
              break;
            }
          }
          for (let n = 4096; n >= 1; n = Math.floor(n / 2)) {
            try {
              writeFileSync(filler, Buffer.alloc(n), { flag: 'a' });
            } catch {
              /* full at this size */
            }
          }
        }
      },
      async heal() {
        if (mode === 'read-only') await run('mount', ['-o', 'remount,rw', dir]);
        else rmSync(filler, { force: true });
      },
      async dispose() {
        await run('umount', ['-l', dir]).catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const aside = `${dir}.away`;
  return {
    dir,
    failure: 'ENOTDIR',
    async fail() {
      renameSync(dir, aside);
      writeFileSync(dir, 'the card is gone');
    },
    async heal() {
      rmSync(dir, { force: true });
      renameSync(aside, dir);
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(aside, { recursive: true, force: true });
    },
  };
}
