#!/usr/bin/env bash
# Bundles the camera agent into one file for cameras: plain `node camrec-agent.mjs
# --config device.json`, no TypeScript loader, the AWS SDK tree-shaken to what it uses.
# Usage: scripts/build-agent.sh [OUTFILE]   (default dist/camrec-agent.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist/camrec-agent.mjs}"
node_modules/.bin/esbuild device/cli/agent-main.ts --bundle --platform=node --format=esm --target=node20 \
  --main-fields=module,main --outfile="$out" --log-level=warning \
  "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
echo "built $out ($(du -k "$out" | cut -f1) KB): run it with node --max-semi-space-size=1 $out --config device.json"
