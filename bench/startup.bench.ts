/**
 * `npm run bench:startup`: how long the shipped `camrec` command takes to start, as a user
 * runs it (`node bin/camrec.js ...`, the JavaScript that `npm ci` builds into dist/), against
 * its floor in the same run: `node -e 0`, a Node process that loads nothing.
 *
 *   camrec --help            the dispatcher alone (target: under 0.2 s)
 *   camrec segment --help    the muxer's subcommand module loaded too
 *   camrec agent --help      the agent's subcommand module (config schema, S3 putter) loaded too
 *
 * Each is run BENCH_RUNS (default 9) times, interleaved with the floor so both see the same
 * machine load; prints the best and the median wall time, the CPU time (user + sys, less
 * sensitive to a loaded machine than wall time) and what camrec adds over the floor.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CAMREC = join(ROOT, 'bin', 'camrec.js');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 9));

interface Timed {
  wallS: number;
  cpuS: number;
}

/** One process, wall time from spawn to exit and its CPU time from /usr/bin/time. */
function time(args: string[]): Timed {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU_S=%U %S', process.execPath, ...args], { encoding: 'utf8' });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  const m = /CPU_S=([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wallS, cpuS: m ? Number(m[1]) + Number(m[2]) : NaN };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (s: number): string => `${Math.round(s * 1000)} ms`;

// What a user runs is dist/ (built by npm ci): rebuild it from these sources first.
execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const cases: Array<{ label: string; args: string[] }> = [
  { label: 'node -e 0 (floor)', args: ['-e', '0'] },
  { label: 'camrec --help', args: [CAMREC, '--help'] },
  { label: 'camrec segment --help', args: [CAMREC, 'segment', '--help'] },
  { label: 'camrec agent --help', args: [CAMREC, 'agent', '--help'] },
];
const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
const runs = cases.map(() => [] as Timed[]);
for (let i = 0; i < RUNS; i++) cases.forEach((c, k) => runs[k]!.push(time(c.args)));

console.log(`camrec start-up, ${RUNS} runs each, interleaved; load average ${load} on ${availableParallelism()} cores; ${process.version}`);
const floor = { wall: median(runs[0]!.map((r) => r.wallS)), cpu: median(runs[0]!.map((r) => r.cpuS)) };
cases.forEach((c, k) => {
  const wall = runs[k]!.map((r) => r.wallS);
  const cpu = runs[k]!.map((r) => r.cpuS);
  const over = k === 0 ? '' : `; over the floor: wall +${ms(median(wall) - floor.wall)}, CPU +${ms(median(cpu) - floor.cpu)} (median)`;
  console.log(
    `  ${c.label.padEnd(24)} wall best ${ms(Math.min(...wall))}, median ${ms(median(wall))}; CPU best ${ms(Math.min(...cpu))}, median ${ms(median(cpu))}${over}`,
  );
});
const help = runs[1]!.map((r) => r.wallS);
console.log(
  `camrec --help: median ${ms(median(help))} (target under 200 ms: ${median(help) < 0.2 ? 'met' : 'NOT met'}), ${(median(help) / floor.wall).toFixed(2)}x the floor's median in the same run`,
);
