#!/usr/bin/env bash
# Bundles the camera agent into one file for cameras: plain `node camrec-agent.mjs
# --config device.json`, no TypeScript loader, the AWS SDK tree-shaken to what it uses.
# Usage: scripts/build-agent.sh [OUTFILE]   (default dist/camrec-agent.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist/camrec-agent.mjs}"
node scripts/build-agent.mjs "$out"
echo "built $out ($(du -k "$out" | cut -f1) KB): run it with MALLOC_ARENA_MAX=1 node --max-semi-space-size=1 --lite-mode $out --config device.json"
