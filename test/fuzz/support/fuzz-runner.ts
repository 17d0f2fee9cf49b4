import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll } from 'vitest';

/**
 * Cases per property: FUZZ_RUNS from the environment (npm run fuzz sets 200000), else a
 * small default so `npm test` runs the whole fuzz suite in seconds.
 */
export const FUZZ_RUNS = ((): number => {
  const raw = process.env.FUZZ_RUNS;
  if (raw === undefined || raw === '') return 200;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`FUZZ_RUNS=${JSON.stringify(raw)}: must be a whole number >= 1`);
  return n;
})();

/** A per-test timeout that grows with FUZZ_RUNS (a hung parser still fails the test). */
export const fuzzTimeoutMs = (msPerCase = 2): number => Math.max(30_000, FUZZ_RUNS * msPerCase);

const OUT_DIR = fileURLToPath(new URL('../../../bench/out/fuzz/', import.meta.url));

/**
 * Runs a fast-check property FUZZ_RUNS times (or `runs`), throws fast-check's report
 * (counterexample and seed to replay) when it fails, and records how many cases ran.
 */
export function createFuzzSuite(suite: string) {
  const cases = new Map<string, number>();
  afterAll(() => {
    const total = [...cases.values()].reduce((a, b) => a + b, 0);
    console.log(`fuzz ${suite}: ${cases.size} properties, ${total} cases (FUZZ_RUNS=${FUZZ_RUNS})`);
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(
      `${OUT_DIR}${suite}.json`,
      `${JSON.stringify({ suite, fuzzRuns: FUZZ_RUNS, totalCases: total, properties: Object.fromEntries(cases) }, null, 2)}\n`,
    );
  });
  function record(name: string, details: fc.RunDetails<unknown>): void {
    cases.set(name, (cases.get(name) ?? 0) + details.numRuns + (details.failed ? 1 : 0));
    if (details.failed) {
      const cause = details.errorInstance;
      throw new Error(`${fc.defaultReportMessage(details) ?? `property ${name} failed`}\n${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  }
  function check<Ts>(name: string, property: fc.IProperty<Ts>, runs: number = FUZZ_RUNS): void {
    record(name, fc.check(property, { numRuns: runs }) as fc.RunDetails<unknown>);
  }
  async function checkAsync<Ts>(name: string, property: fc.IAsyncProperty<Ts>, runs: number = FUZZ_RUNS): Promise<void> {
    record(name, (await fc.check(property, { numRuns: runs })) as fc.RunDetails<unknown>);
  }
  return Object.assign(check, { async: checkAsync });
}

/** Calls `fn`; returns the error it threw (or undefined). */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** Cuts `bytes` into pieces at the given cut points (sorted, deduplicated, in range). */
export function chunkAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(0, c), bytes.byteLength)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  if (from < bytes.byteLength || out.length === 0) out.push(bytes.subarray(from));
  return out;
}

/** Random bytes plus random cut points into them. */
export const chunkedBytes = (maxLength = 2048) =>
  fc.uint8Array({ maxLength }).chain((bytes) => fc.tuple(fc.constant(bytes), fc.array(fc.nat({ max: bytes.byteLength }), { maxLength: 16 })));
