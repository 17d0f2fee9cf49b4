#!/usr/bin/env node
// Builds the `camrec` command into plain JavaScript under dist/cli/, so no TypeScript
// loader runs in any shipped path. One esbuild pass with code splitting: each subcommand
// stays its own lazily loaded chunk (`camrec --help` loads a few KB). npm packages are bundled
// too: Node's ESM loader spends most of a second finding, lexing (CommonJS named exports) and
// compiling the AWS SDK's, zod's and node-forge's files one by one, which `camrec local` paid
// before its cameras started. s3rver and dynalite stay external (native modules, dynamic
// requires); the banner gives bundled CommonJS code a `require` for Node's own modules.
// Runs from `npm ci` (prepare), `npm run build`, and the test suite's global setup.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { pureContractModules } from './pure-modules-plugin.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/cli`;

export async function buildCli() {
  await rm(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { 'camrec-cli': 'bin/camrec-cli.ts' },
    outdir,
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
  return outdir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await buildCli();
  console.log(`camrec: built dist/cli in ${Math.round(performance.now() - started)} ms`);
}
