import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { writeFileAtomic } from '../../../device/buffer/atomic-file.ts';

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

  test('a write that fails part way leaves the old file whole and no temp file behind', async () => {
    const path = join(dir, 'device.json');
    await writeFile(path, '{"old":true}');
    const bad = [new Uint8Array([1]), 42 as unknown as Uint8Array];
    await expect(writeFileAtomic(path, bad)).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('{"old":true}');
    expect(await readdir(dir)).toEqual(['device.json']);
  });
});
