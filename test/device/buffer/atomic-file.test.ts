import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FolderSync, writeFileAtomic } from '../../../device/buffer/atomic-file.ts';

/** This process's open file descriptors that point at `path` (Linux /proc). */
const fdsOn = (path: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camrec-atomic-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('writeFileAtomic: the one atomic write (agent and local mode)', () => {
  test('writes text or bytes with the mode asked for, 0600 by default', async () => {
    await writeFileAtomic(join(dir, 'cert.pem'), 'PEM\n', 0o644);
    await writeFileAtomic(join(dir, 'state.bin'), [new Uint8Array([1, 2]), new Uint8Array([3])]);
    expect(await readFile(join(dir, 'cert.pem'), 'utf8')).toBe('PEM\n');
    expect([...(await readFile(join(dir, 'state.bin')))]).toEqual([1, 2, 3]);
    expect((await stat(join(dir, 'cert.pem'))).mode & 0o777).toBe(0o644);
    expect((await stat(join(dir, 'state.bin'))).mode & 0o777).toBe(0o600);
  });

  test('a writer into one folder fsyncs it through one handle kept open (not open, fsync, close per file) until it closes', async () => {
    const folder = new FolderSync(dir);
    const big = new Uint8Array(3 << 20).fill(7);
    for (let i = 0; i < 5; i++) await writeFileAtomic(join(dir, `e${i}.spool`), [new Uint8Array([i]), big], undefined, folder);
    expect(fdsOn(dir)).toBe(1);
    expect((await readFile(join(dir, 'e4.spool'))).length).toBe(1 + big.length);
    expect((await readFile(join(dir, 'e4.spool')))[0]).toBe(4);
    await folder.close();
    expect(fdsOn(dir)).toBe(0);
    await writeFileAtomic(join(dir, 'plain.json'), '{}');
    expect(fdsOn(dir)).toBe(0);
  });

  test('a write that fails part way leaves the old file whole and no temp file behind', async () => {
    const path = join(dir, 'device.json');
    await writeFile(path, '{"old":true}');
    const bad = [new Uint8Array([1]), 42 as unknown as Uint8Array];
    await expect(writeFileAtomic(path, bad)).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('{"old":true}');
    expect(await readdir(dir)).toEqual(['device.json']);
  });
});
