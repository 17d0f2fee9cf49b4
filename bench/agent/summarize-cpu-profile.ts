/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): the busy share of the wall time and
 * the functions with the most self time, as a share of busy samples. Samples in the first
 * SKIP_S seconds (default 10: start-up and the bench's warm-up) are left out.
 *
 *   BENCH_SECONDS=60 BENCH_NODE_FLAGS="--max-semi-space-size=1 --cpu-prof --cpu-prof-dir=bench/out/prof --cpu-prof-interval=1000" npm run bench:agent
 *   npx tsx bench/agent/summarize-cpu-profile.ts bench/out/prof/CPU.*.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: npx tsx bench/agent/summarize-cpu-profile.ts FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 15);
const skipUs = Number(process.env.SKIP_S ?? 10) * 1e6;
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
let idle = 0;
let t = 0;
p.samples.forEach((id, i) => {
  t += p.timeDeltas[i] ?? 0;
  if (t < skipUs) return;
  total++;
  const cf = byId.get(id)!.callFrame;
  if (cf.functionName === '(idle)') {
    idle++;
    return;
  }
  const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\//, '')}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  self.set(key, (self.get(key) ?? 0) + 1);
});
const busy = total - idle;
const seconds = (p.endTime - p.startTime - skipUs) / 1e6;
console.log(
  `${file}: ${total} samples over ${seconds.toFixed(1)} s after the first ${skipUs / 1e6} s; busy ${busy} (${((100 * busy) / Math.max(1, total)).toFixed(2)} % of samples)`,
);
console.log('self time, % of busy samples:');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * v) / Math.max(1, busy)).toFixed(1).padStart(6)}  ${k}`);
