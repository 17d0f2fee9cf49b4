import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { SECONDS, type Ready } from './api-bench-options.ts';

/** autocannon: closed-loop viewers, each connection with its own session token. */
interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}
interface AutocannonClient {
  setRequests(reqs: { method?: string; path?: string }[]): void;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => unknown;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface Row {
  viewers: number;
  target: string;
  reqPerS: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  errors: number;
}

export function load(url: string, viewers: number, paths: readonly string[], seconds = SECONDS): Promise<AutocannonResult> {
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: viewers,
        duration: seconds,
        pipelining: 1,
        timeout: 10,
        setupClient: (client: AutocannonClient) => client.setRequests([{ method: 'GET', path: paths[next++ % paths.length] }]),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

export const toRow = (viewers: number, target: string, r: AutocannonResult): Row => ({
  viewers,
  target,
  reqPerS: r['2xx'] / r.duration,
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  ok: r['2xx'],
  errors: r.errors + r.non2xx,
});

/** Starts `script --serve` (the serving child) and resolves with what it reports ready. */
export function startServer(script: string): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve({ child, ready: JSON.parse(line) as Ready });
      } catch (cause) {
        reject(new Error(`the bench server printed ${line.slice(0, 200)}`, { cause }));
      }
    });
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code} before it was ready`)));
  });
}
