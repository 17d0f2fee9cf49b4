import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { until } from '../support/until.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CAMREC = join(ROOT, 'bin', 'camrec.js');
const execFileAsync = promisify(execFile);

/**
 * The environment process `pid` started with: NUL-separated NAME=value entries in /proc.
 * (glibc parses GLIBC_TUNABLES in place: the ':' between its tunables reads as a NUL here.)
 */
async function environOf(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/environ`, 'utf8');
}

/** The pids of `pid`'s children (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim() ? text.trim().split(/\s+/).map(Number) : [];
}

// The video is a named pipe nobody writes to yet: the segmenting process waits on it, so
// the test can read the environment of the process that does the work, then end its input.
describe.runIf(process.platform === 'linux')('camrec segment on Linux', () => {
  const scratch: string[] = [];
  afterAll(async () => Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true }))));

  async function startOnPipe(
    env: NodeJS.ProcessEnv,
  ): Promise<{ worker: number; parent: number; done: Promise<{ code: number | null; err: string }>; end: () => Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), 'camrec-hugetlb-'));
    scratch.push(dir);
    const fifo = join(dir, 'in.h264');
    execFileSync('mkfifo', [fifo]);
    const p = spawn(process.execPath, [CAMREC, 'segment', '--video', fifo, '--out', join(dir, 'out'), '--no-encrypt'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<{ code: number | null; err: string }>((resolve) => p.on('close', (code) => resolve({ code, err })));
    // The process that opens the pipe (the child when camrec re-ran itself, else camrec
    // itself): one of its threads waits in the kernel for a writer (wchan wait_for_partner).
    const worker = await until('the segmenting process to open the pipe', async () => {
      for (const pid of [...(await childrenOf(p.pid!)), p.pid!]) {
        const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
        for (const t of tasks) if ((await readFile(`/proc/${pid}/task/${t}/wchan`, 'utf8').catch(() => '')) === 'wait_for_partner') return pid;
      }
      return undefined;
    });
    const end = async (): Promise<void> => {
      const w = await open(fifo, 'w'); // unblocks the reader; closing it is the end of the stream
      await w.close();
    };
    return { worker, parent: p.pid!, done, end };
  }

  test('segments with glibc malloc on transparent huge pages (GLIBC_TUNABLES glibc.malloc.hugetlb=1), keeping the caller’s own tunables and exit code', async () => {
    const run = await startOnPipe({ ...process.env, GLIBC_TUNABLES: 'glibc.malloc.arena_max=2', CAMREC_NO_HUGETLB: '' });
    expect(run.worker).not.toBe(run.parent);
    expect(await environOf(run.worker)).toMatch(/(^|\0)GLIBC_TUNABLES=glibc\.malloc\.arena_max=2[:\0]glibc\.malloc\.hugetlb=1\0/);
    await run.end();
    const { code, err } = await run.done;
    expect(code).toBe(1); // an empty stream: the child's exit code and message reach the caller
    expect(err).toMatch(/no playable video found/);
  });

  test('a video file under 32 MB is segmented in the one process; a larger one in the child with the tunable and without NODE_EXTRA_CA_CERTS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camrec-hugetlb-'));
    scratch.push(dir);
    // Every Node process of the command logs its pid, GLIBC_TUNABLES and NODE_EXTRA_CA_CERTS (NODE_OPTIONS reaches the
    // child too; the preload also runs in worker threads, which are no processes: only a main thread logs).
    const log = join(dir, 'processes.log');
    const preload = join(dir, 'log-process.cjs');
    await writeFile(
      preload,
      `if (require('node:worker_threads').isMainThread) require('node:fs').appendFileSync(${JSON.stringify(log)}, ` +
        `process.pid + ' [' + (process.env.GLIBC_TUNABLES ?? '') + '] ' + (process.env.NODE_EXTRA_CA_CERTS ? 'extra CA certs' : 'no extra CA certs') + '\\n');`,
    );
    // An empty bundle: Node reads it at every start; the child (no TLS in `camrec segment`) is spared it.
    const caCerts = join(dir, 'extra-ca.pem');
    await writeFile(caCerts, '');
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require=${preload}`, CAMREC_NO_HUGETLB: '', NODE_EXTRA_CA_CERTS: caCerts };
    delete env.GLIBC_TUNABLES;
    const sample = await readFile(join(ROOT, 'samples', 'sample.h264'));
    const big = join(dir, 'big.h264');
    await writeFile(big, Buffer.concat(Array.from({ length: Math.ceil((33 * 1024 * 1024) / sample.byteLength) }, () => sample)));
    const processes = async (video: string): Promise<string[]> => {
      await rm(log, { force: true });
      await execFileAsync(process.execPath, [CAMREC, 'segment', '--video', video, '--out', join(dir, 'out'), '--no-encrypt'], { env });
      return (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\d+ /, ''));
    };
    expect(await processes(join(ROOT, 'samples', 'sample.h264'))).toEqual(['[] extra CA certs']);
    expect(await processes(big)).toEqual(['[] extra CA certs', '[glibc.malloc.hugetlb=1] no extra CA certs']);
  });

  test('CAMREC_NO_HUGETLB=1 segments in the one process, with the environment as given', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CAMREC_NO_HUGETLB: '1' };
    delete env.GLIBC_TUNABLES;
    const run = await startOnPipe(env);
    expect(run.worker).toBe(run.parent);
    expect(await environOf(run.worker)).not.toMatch(/(^|\0)GLIBC_TUNABLES=/);
    await run.end();
    expect((await run.done).code).toBe(1);
  });
});
