import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalStackInfo } from '../../local/stack/local-stack.ts';
import { until } from './until.ts';

/**
 * `camrec local` as a user runs it: a child process (`node bin/camrec.js local ...`) on a
 * free port, waited for until it prints its player URL, stopped with SIGINT (Ctrl-C).
 */
export interface LocalStackProcess {
  readonly info: LocalStackInfo;
  /** stdout so far. */
  output(): string;
  /** stderr so far: the progress log (notifications, warnings). */
  log(): string;
  /** Sends SIGINT and resolves with the exit code. */
  stop(): Promise<number | null>;
}

const CAMREC = fileURLToPath(new URL('../../bin/camrec.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export async function startLocalStackProcess(dataDir: string, extraArgs: string[] = []): Promise<LocalStackProcess> {
  await rm(join(dataDir, 'local.json'), { force: true });
  const child: ChildProcess = spawn(process.execPath, [CAMREC, 'local', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', NODE_NO_WARNINGS: '1' },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = await Promise.race([
    until('camrec local to start', () => /Press Ctrl-C to stop/.test(out), { timeoutMs: START_TIMEOUT_MS, intervalMs: 50, detail: () => `\n${out}\n${err}` }),
    exited.then((code) => {
      throw new Error(`camrec local exited with ${code} before starting:\n${out}\n${err}`);
    }),
  ]);
  if (!started) throw new Error('unreachable');
  const info = JSON.parse(await readFile(join(dataDir, 'local.json'), 'utf8')) as LocalStackInfo;
  return {
    info,
    output: () => out,
    log: () => err,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
