#!/usr/bin/env node
// The `camrec` command. The sources are TypeScript; tsx loads them without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./camrec-cli.ts');
process.exitCode = await main(process.argv.slice(2));
