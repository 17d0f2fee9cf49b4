#!/usr/bin/env node
// The `camrec` command: plain JavaScript built from the TypeScript sources into dist/cli
// (`npm ci` builds it; `npm run build` rebuilds it after a change).
import { existsSync, statSync } from 'node:fs';

// camrec supports Node >= 20; the SDK's notice about its own 2027 releases would only
// clutter every command's output on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const built = new URL('../dist/cli/camrec-cli.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write("camrec: this checkout is not built yet. Run 'npm ci' (or 'npm run build') in the camrec folder, then try again.\n");
  process.exit(2);
}
// `camrec segment` on Linux: run once more with glibc's malloc asking for transparent huge
// pages (GLIBC_TUNABLES glibc.malloc.hugetlb=1, glibc 2.35+; elsewhere the variable is ignored).
// Its segment, read and cipher buffers are fresh memory the kernel maps one 4 KiB page fault
// at a time, and faults are most of its system time: on the 121.5 MB bench input 22.7 K minor
// faults -> 8 K and 1.2 -> 0.8 CPU-seconds, for a second Node start (~0.1 s). The variable is
// read only when a process starts, hence the child; not worth a second start for a video file
// under 32 MB (a pipe's size is unknown: it gets the child). CAMREC_NO_HUGETLB=1 turns it off.
const tunables = process.env.GLIBC_TUNABLES ?? '';
const helpOnly = process.argv.includes('--help') || process.argv.includes('-h');
/** Whether `camrec segment`'s --video is a regular file under 32 MB (or not there: the command says so). */
function smallVideoFile() {
  const at = process.argv.indexOf('--video');
  const path = at > 0 ? process.argv[at + 1] : process.argv.find((a) => a.startsWith('--video='))?.slice('--video='.length);
  if (path === undefined) return true;
  const st = statSync(path, { throwIfNoEntry: false });
  return st === undefined || (st.isFile() && st.size < 32 * 1024 * 1024);
}
if (
  process.argv[2] === 'segment' &&
  !helpOnly &&
  process.platform === 'linux' &&
  !tunables.includes('glibc.malloc.hugetlb') &&
  !process.env.CAMREC_NO_HUGETLB &&
  !smallVideoFile()
) {
  const { spawnSync } = await import('node:child_process');
  const env = { ...process.env, GLIBC_TUNABLES: tunables ? `${tunables}:glibc.malloc.hugetlb=1` : 'glibc.malloc.hugetlb=1' };
  // `camrec segment` opens no TLS connection, and Node reads and parses NODE_EXTRA_CA_CERTS'
  // file at every start (this VM's system bundle: 127 -> 82 ms CPU for `node -e 0`, 10 runs
  // each): the child goes without it.
  delete env.NODE_EXTRA_CA_CERTS;
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  if (r.error) throw r.error;
  if (r.signal) process.kill(process.pid, r.signal);
  process.exit(r.status ?? 1);
}
const { main } = await import(built.href);
process.exitCode = await main(process.argv.slice(2));
