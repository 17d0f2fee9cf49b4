#!/usr/bin/env node
// The `camrec` command. The sources are TypeScript; tsx loads them without a build step.
import { register } from 'tsx/esm/api';

// camrec supports Node >= 20; the SDK's notice about its own 2027 releases would only
// clutter every command's output on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./camrec-cli.ts');
process.exitCode = await main(process.argv.slice(2));
