import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CAMREC = join(ROOT, 'bin', 'camrec.js');

async function builtFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.js')) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

describe('the camrec command ships JavaScript', () => {
  const scratch: string[] = [];
  afterAll(async () => Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true }))));

  test('camrec --help answers from the build in dist/cli', async () => {
    const { stdout } = await run(process.execPath, [CAMREC, '--help']);
    expect(stdout).toMatch(/^usage: camrec <command>/);
    expect(stdout).toContain('segment');
  });

  test('the build loads no TypeScript: no tsx, no .ts module specifiers', async () => {
    const files = await builtFiles(join(ROOT, 'dist', 'cli'));
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toMatch(/from\s*["']tsx/);
      expect(text, file).not.toMatch(/import\(\s*["'][^"']+\.ts["']\s*\)/);
      expect(text, file).not.toMatch(/from\s*["'][^"']+\.ts["']/);
    }
  });

  test('an unbuilt checkout says how to build it instead of a stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camrec-unbuilt-'));
    scratch.push(dir);
    await mkdir(join(dir, 'bin'));
    await copyFile(CAMREC, join(dir, 'bin', 'camrec.js'));
    const failed = await run(process.execPath, [join(dir, 'bin', 'camrec.js'), '--help']).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain("Run 'npm ci' (or 'npm run build')");
  });
});
