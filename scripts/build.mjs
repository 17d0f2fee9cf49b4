#!/usr/bin/env node
// Builds the `camrec` command into plain JavaScript under dist/cli/, so no TypeScript
// loader runs in any shipped path. One esbuild pass with code splitting: each subcommand
// stays its own lazily loaded chunk (`camrec --help` loads a few KB). npm packages are bundled
// too: Node's ESM loader spends most of a second finding, lexing (CommonJS named exports) and
// compiling the AWS SDK's, zod's and node-forge's files one by one, which `camrec local` paid
// before its cameras started. s3rver and dynalite stay external (native modules, dynamic
// requires); the banner gives bundled CommonJS code a `require` for Node's own modules.
// Runs from `npm ci` (prepare), `npm run build`, the test suite's global setup and the
// benchmarks, so a build often runs while camrec processes start from dist/cli: it builds
// into a staging folder and moves each file into place (see publish).
import { build } from 'esbuild';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pureContractModules } from './pure-modules-plugin.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/cli`;

export async function buildCli() {
  await mkdir(`${root}dist`, { recursive: true });
  const staging = await mkdtemp(`${root}dist/.cli-build-`);
  try {
    await buildInto(staging);
    await publish(staging, outdir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return outdir;
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir, prefix = '') {
  const out = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/**
 * Moves the built files into dist/cli one by one with rename(2), which replaces a file
 * whole: a camrec process starting meanwhile (a test, a benchmark, a user) reads every file
 * complete, old or new, and never finds the folder missing or half written, as it did when
 * the build removed dist/cli first ("this checkout is not built yet" for the ~1 s a build
 * takes). The chunks (named by content hash) go first, the entry point last, so a new
 * entry point finds its chunks; files no build of these sources wrote are removed after.
 */
async function publish(from, to) {
  const built = await filesUnder(from);
  const entryLast = [...built.filter((f) => f.includes('/')), ...built.filter((f) => !f.includes('/'))];
  for (const f of entryLast) {
    await mkdir(dirname(join(to, f)), { recursive: true });
    await rename(join(from, f), join(to, f));
  }
  const keep = new Set(built);
  for (const f of await filesUnder(to)) if (!keep.has(f)) await rm(join(to, f), { force: true });
}

/** esbuild's pass, into `dir`. */
async function buildInto(dir) {
  await build({
    absWorkingDir: root,
    entryPoints: { 'camrec-cli': 'bin/camrec-cli.ts' },
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['s3rver', 'dynalite'],
    banner: { js: "import { createRequire as __camrecCreateRequire } from 'node:module'; const require = __camrecCreateRequire(import.meta.url);" },
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
    plugins: [pureContractModules],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await buildCli();
  console.log(`camrec: built dist/cli in ${Math.round(performance.now() - started)} ms`);
}
