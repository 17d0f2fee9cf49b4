// An esbuild plugin: declares this repository's `contract/` modules free of side effects,
// so a bundle keeps only the contract modules whose exports it uses. contract/index.ts
// re-exports every module, and one of them (notification-events.ts) builds zod schemas at
// load time; without this, anything importing the barrel (the segment command, the agent)
// also loaded zod and every notification schema. contract/ holds definitions only (values,
// pure functions, schemas): nothing there runs for its effect. Used by build.mjs and
// build-agent.mjs.
import { existsSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const contractDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'contract') + sep;

export const pureContractModules = {
  name: 'pure-contract-modules',
  setup(build) {
    build.onResolve({ filter: /\.ts$/ }, (args) => {
      if (args.kind !== 'import-statement' || !args.path.startsWith('.')) return undefined;
      const path = resolve(args.resolveDir, args.path);
      if (!path.startsWith(contractDir) || !existsSync(path)) return undefined;
      return { path, sideEffects: false };
    });
  },
};
