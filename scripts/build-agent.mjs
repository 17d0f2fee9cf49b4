#!/usr/bin/env node
// Bundles the camera agent into one file (see build-agent.sh, which runs this).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { pureContractModules } from './pure-modules-plugin.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = process.argv[2] ?? 'dist/camrec-agent.mjs';
await build({
  absWorkingDir: root,
  entryPoints: ['device/cli/agent-main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  outfile,
  logLevel: 'warning',
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  plugins: [pureContractModules],
});
