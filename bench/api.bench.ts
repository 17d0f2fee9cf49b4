/**
 * `npm run bench:api`: concurrent LIVE viewers polling the local playback API.
 *
 * A child process runs the local stack (s3rver, dynalite, IoT provider, S3 front, the
 * Lambda handlers behind the local API server) on free ports on 127.0.0.1, uploads a
 * wrapped key and SEGMENTS segments for one camera through the S3 front with the
 * camera's own IoT credentials (the indexer fills the index from s3rver's events, as in
 * the cloud), keeps the camera recording (one more segment every 2 s, so its LIVE window
 * stays full however long this takes: api/live-tail.ts; no agent runs), and creates TOKENS
 * LIVE sessions. This process then drives it with
 * autocannon: every connection is one viewer with its own session token, polling
 * GET /v1/sessions/{token}/playlist.m3u8 back to back (a closed loop, so the figures are
 * capacity, not a paced rate), at 100 and 1,000 viewers for BENCH_SECONDS each.
 *
 * The peer, measured in the same run and the same child process: a bare node:http server
 * answering the same playlist text from memory (no token check, no index query), the
 * ceiling for HTTP on this machine. The ratio camrec / peer says what the token check,
 * the index Query (dynalite) and the playlist writer cost.
 *
 * Then, in this process and one poll at a time, where a poll's time goes: the same API
 * handler over the dynalite-backed index (as local mode runs it) and over an in-memory
 * index (test/fuzz's), CPU ms per poll.
 *
 * Server and load generator are separate processes; on a 2-core machine they share the
 * cores, so read the figures as local-mode capacity, not Lambda's.
 *
 * Both targets get a 2 s warm-up at 10 connections first, not reported. After each camrec run
 * the playlist must still be a full LIVE window (else the run measured an idle camera's empty
 * window: reported, exit code 1).
 *
 * Env: BENCH_SECONDS (default 10), BENCH_VIEWERS (default "100,1000"), BENCH_SEGMENTS
 * (default 300), BENCH_TOKENS (default 200).
 */
import { fileURLToPath } from 'node:url';
import { LIVE_WINDOW_SEGMENTS, SECONDS, SEGMENTS, VIEWERS, type Ready } from './api/api-bench-options.ts';
import { formatApiReport } from './api/api-report.ts';
import { liveWindowProblem } from './api/live-tail.ts';
import { pollCosts } from './api/poll-costs.ts';
import { serve } from './api/serve-seeded-stack.ts';
import { load, startServer, toRow, type Row } from './api/viewer-load.ts';

const SELF = fileURLToPath(import.meta.url);

/** What is wrong with the camrec LIVE playlist now (a run that ended on an empty window measured that, not the peer's bytes), or undefined. */
async function liveWindowNow(ready: Ready): Promise<string | undefined> {
  const res = await fetch(`${ready.apiUrl}${ready.playlistPaths[0]}`);
  const text = await res.text();
  return res.status === 200 ? liveWindowProblem(text, LIVE_WINDOW_SEGMENTS, ready.newestSeq) : `status ${res.status}: ${text}`;
}

async function main(): Promise<void> {
  process.stderr.write(`bench:api: starting the local stack and indexing ${SEGMENTS} segments ...\n`);
  const { child, ready } = await startServer(SELF);
  const rows: Row[] = [];
  const windowProblems: string[] = [];
  try {
    // Warm-up (JIT, dynalite's LevelDB cache, keep-alive sockets), not reported.
    await load(ready.apiUrl, 10, ready.playlistPaths, 2);
    await load(ready.peerUrl, 10, ['/playlist.m3u8'], 2);
    for (const viewers of VIEWERS) {
      process.stderr.write(`bench:api: ${viewers} viewers, ${SECONDS} s each: camrec, then the peer ...\n`);
      rows.push(toRow(viewers, 'camrec LIVE playlist', await load(ready.apiUrl, viewers, ready.playlistPaths)));
      const problem = await liveWindowNow(ready);
      if (problem) windowProblems.push(`after the camrec run at ${viewers} viewers: ${problem}`);
      rows.push(toRow(viewers, 'peer: same bytes, bare node:http', await load(ready.peerUrl, viewers, ['/playlist.m3u8'])));
    }
  } finally {
    child.stdin!.end();
    child.kill('SIGTERM');
  }

  process.stderr.write('bench:api: sequential polls straight into the handler (dynalite vs in-memory index) ...\n');
  const costs = await pollCosts();
  const out = formatApiReport(ready, rows, costs, windowProblems);
  process.stdout.write(`${out.join('\n')}\n`);
  if (windowProblems.length > 0 || rows.some((r) => r.target.startsWith('camrec') && r.ok === 0)) process.exitCode = 1;
}

if (process.argv.includes('--serve')) {
  serve().catch((err) => {
    process.stderr.write(`bench:api server: ${(err as Error).stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(`bench:api: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
