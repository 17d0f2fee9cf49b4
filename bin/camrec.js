#!/usr/bin/env node
// The `camrec` command: plain JavaScript built from the TypeScript sources into dist/cli
// (`npm ci` builds it; `npm run build` rebuilds it after a change).
import { existsSync } from 'node:fs';

// camrec supports Node >= 20; the SDK's notice about its own 2027 releases would only
// clutter every command's output on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const built = new URL('../dist/cli/camrec-cli.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write("camrec: this checkout is not built yet. Run 'npm ci' (or 'npm run build') in the camrec folder, then try again.\n");
  process.exit(2);
}
const { main } = await import(built.href);
process.exitCode = await main(process.argv.slice(2));
