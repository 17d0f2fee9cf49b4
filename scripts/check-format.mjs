#!/usr/bin/env node
// The Prettier half of `npm run lint`.
//
// Until the whole tree has been formatted once (one mechanical `npm run format` commit,
// made after the branches that were open when Prettier came in are merged), only the
// files listed in .prettier-checked are checked: formatting everything on a branch would
// conflict with every other branch. Once that commit is in, delete .prettier-checked and
// this checks every file `npm run format` writes.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ALL = ['**/*.{ts,mts,js,mjs}'];
const listFile = `${root}.prettier-checked`;
const targets = existsSync(listFile)
  ? readFileSync(listFile, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
  : ALL;

if (targets.length === 0) {
  console.log('prettier: .prettier-checked lists no files');
  process.exit(0);
}
const r = spawnSync(process.execPath, [`${root}node_modules/prettier/bin/prettier.cjs`, '--check', '--no-error-on-unmatched-pattern', ...targets], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
