/** Entry point of the shipped agent bundle (`npm run build:agent` -> dist/camrec-agent.mjs). */
import { run } from './agent-command.ts';

process.exitCode = await run(process.argv.slice(2));
