/**
 * `npm run bench:agent`: runs `camrec agent` (a child process, as on a camera) on a
 * 1080p25 ~5 Mbit/s H.264 stream paced in real time for BENCH_SECONDS (default 60)
 * against a local S3 (s3rver behind the local S3 front, credentials from the local
 * mutual-TLS IoT provider), and prints its CPU (% of one core), peak RSS and the media
 * buffer's size. Peer, measured in the same run on the same clip: ffmpeg's HLS muxer with
 * AES-128 (`-re -c copy -hls_key_info_file`) writing to local disk, i.e. the same
 * segmenting and encryption with no upload. Input is generated once into bench/out/.
 *
 * `npm run bench:agent -- --pictures` measures keyframe pictures (bench/agent/pictures-variant.ts):
 * the agent recording a container file through its ffmpeg child with pictures off and on.
 *
 * A/B: BENCH_AGENT_B=path/to/camrec-agent.mjs (another build, e.g. of main) and/or
 * BENCH_NODE_FLAGS_B / BENCH_AGENT_ENV_B / BENCH_DEVICE_B (JSON merged into its device.json) run a second agent beside the first over the same
 * window (its own device id, spool and state, the same clip and S3), and print its figures
 * and the B/A ratio: a comparison under the same load, which separate runs on a shared
 * machine cannot give. BENCH_AGENT_A=path runs a prebuilt bundle as agent A instead of this
 * checkout's (to swap two builds between A and B). With `--rtsp` agent B records the same RTSP URL beside A (each with
 * its ffmpeg child, measured together).
 *
 * `npm run bench:agent -- --rtsp` runs the RTSP variant instead (bench/agent/rtsp-variant.ts):
 * the same 1080p stream from Debian's gst-rtsp-server, the agent and its ffmpeg child
 * against ffmpeg alone writing HLS from the same URL; `--formats` adds the measurement
 * behind the ffmpeg child's output format (MPEG-TS vs NUT vs raw H.264).
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultMemoryBytes } from '../device/config/device-config-schema.ts';
import { MB, measureAgentRun, spawnAgent, startHlsPeer, type AgentLaunch } from './agent/agent-run.ts';
import { startBenchBackend, type AgentSettings, type BenchBackend } from './agent/bench-backend.ts';
import { cameraClip } from './support/bench-clip.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const CLIP = join(OUT, 'agent-1080p25-5mbps.h264');
const CLIP_SECONDS = 20;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARMUP_SECONDS = 6;
const SEGMENT_SECONDS = 2;
const BITRATE_KBPS = 5000;

/**
 * V8 flags for the agent process, as recommended on cameras: a 1 MB young-generation
 * semi-space keeps RSS near the live set; `--lite-mode` (no optimizing compiler, lazy
 * feedback) saves ~7 MB of RSS at no CPU cost seen, as the agent's heavy work (AES, SHA-256,
 * file and socket I/O) is native code (measured: 58.2-58.5 MB against 65.6-65.8 MB).
 */
const DEFAULT_NODE_FLAGS = '--max-semi-space-size=1 --lite-mode';
/**
 * Environment for the agent process, as recommended on cameras (scripts/build-agent.sh prints it):
 * one glibc malloc arena, so memory freed by libuv's and V8's worker threads goes back to one
 * heap instead of sitting in per-thread arenas (measured: ~6 MB less RSS, no CPU cost seen).
 * BENCH_AGENT_ENV replaces it ('' for glibc's defaults).
 */
const DEFAULT_AGENT_ENV = 'MALLOC_ARENA_MAX=1';
const AGENT_ENV = process.env.BENCH_AGENT_ENV ?? DEFAULT_AGENT_ENV;
function agentEnv(vars = AGENT_ENV): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const kv of vars.split(' ').filter(Boolean)) {
    const at = kv.indexOf('=');
    env[kv.slice(0, at)] = kv.slice(at + 1);
  }
  return env;
}
/**
 * How the agent runs: `bundle` (default) is what ships to a camera, one esbuild bundle run
 * by plain node; `tsx` is `bin/camrec.js` from a checkout (adds the TypeScript loader's
 * ~60 MB). Set BENCH_AGENT_RUNNER=tsx to measure that.
 */
const RUNNER = process.env.BENCH_AGENT_RUNNER === 'tsx' ? 'tsx' : 'bundle';

function bundleAgent(): string {
  // BENCH_AGENT_A: a prebuilt bundle for agent A (e.g. this build and main swapped between A and B, to rule out the order).
  if (process.env.BENCH_AGENT_A) return resolve(process.env.BENCH_AGENT_A);
  const out = join(OUT, 'camrec-agent.mjs');
  // The same bundle `npm run build:agent` ships to cameras.
  execFileSync('bash', [join(ROOT, 'scripts', 'build-agent.sh'), out], { stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

/** The agent's source and recording settings in the main run. */
function agentSource() {
  return {
    source: { type: 'file', path: CLIP, fps: 25, loop: true },
    segmentSeconds: SEGMENT_SECONDS,
    bitrateKbps: BITRATE_KBPS,
    // Recording only, the work the peer does: keyframe pictures (on by default, a short ffmpeg run
    // per picture for a raw file) are measured by `--pictures`.
    imageIntervalSeconds: 0,
  };
}

async function main(): Promise<void> {
  cameraClip(CLIP, CLIP_SECONDS, BITRATE_KBPS, 'h264');
  const clipMbps = (statSync(CLIP).size * 8) / CLIP_SECONDS / 1e6;
  const backend = await startBenchBackend();
  const deviceJson = backend.writeDeviceJson(agentSource());

  // Peer: ffmpeg HLS muxer + AES-128 on the same clip, paced in real time, to local disk.
  // ffmpeg cannot seek back in a raw .h264 to loop it: it loops the same frames remuxed into Matroska.
  const clipMkv = CLIP.replace(/\.h264$/, '.mkv');
  if (!existsSync(clipMkv)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-framerate', '25', '-f', 'h264', '-i', CLIP, '-c', 'copy', clipMkv]);
  const ffmpeg = startHlsPeer(backend.dir, ['-re', '-stream_loop', '-1', '-i', clipMkv], SEGMENT_SECONDS);
  const launch: AgentLaunch = { root: ROOT, nodeFlags: process.env.BENCH_NODE_FLAGS ?? DEFAULT_NODE_FLAGS, env: agentEnv(), bundleAgent, runner: RUNNER };
  const agent = spawnAgent(launch, deviceJson);
  const b = startAgentB(backend);
  process.stderr.write(`bench: measuring camrec agent${b ? 's A and B' : ''} and ffmpeg for ${SECONDS} s after ${WARMUP_SECONDS} s warm-up ...\n`);
  const window = { controlSocket: backend.controlSocket, warmupSeconds: WARMUP_SECONDS, seconds: SECONDS };
  const [run, runB] = await Promise.all([
    measureAgentRun({ agent, peer: ffmpeg, ...window }),
    b ? measureAgentRun({ ...window, agent: b.agent, controlSocket: backend.controlSocketB }) : undefined,
  ]);
  const { agent: a, status, exitMs, exitCode } = run;
  const f = run.peer!;

  const twoSegmentsBytes = (2 * status.bytesRecorded) / Math.max(1, status.segmentsRecorded);
  const buf = status.memoryBuffer as { capacityBytes: number; peakUsedBytes: number };
  const lines = [
    `camrec agent: 1080p25 H.264 at ${clipMbps.toFixed(2)} Mbit/s (file looped, paced in real time), ${SEGMENT_SECONDS} s segments, AES-128, local S3 (s3rver + S3 front, SigV4, mTLS IoT credentials), ${SECONDS} s measured after ${WARMUP_SECONDS} s warm-up`,
    `  agent CPU:            ${a.cpuPercent.toFixed(2)} % of one core   (target: at most ffmpeg's)`,
    `  agent peak RSS:       ${(a.steadyPeakRssBytes / MB).toFixed(1)} MB while recording; ${(a.lifetimePeakRssBytes / MB).toFixed(1)} MB VmHWM incl. start-up; PSS ${(a.steadyPeakPssBytes / MB).toFixed(1)} MB; runner ${RUNNER}   (target < 64 MB RSS)`,
    `  media buffer:         ${(buf.capacityBytes / MB).toFixed(2)} MB allocated once (default for ${BITRATE_KBPS} kbit/s: ${(defaultMemoryBytes({ segmentSeconds: SEGMENT_SECONDS, expectedBitrateKbps: BITRATE_KBPS }) / MB).toFixed(2)} MB); two average TS segments of this stream = ${(twoSegmentsBytes / MB).toFixed(2)} MB; peak used ${(buf.peakUsedBytes / MB).toFixed(2)} MB   (target <= 2 segments and <= 4 MB)`,
    `  agent process:        heap used ${(status.process.heapUsedBytes / MB).toFixed(1)} MB, external ${(status.process.externalBytes / MB).toFixed(1)} MB (array buffers ${(status.process.arrayBuffersBytes / MB).toFixed(1)} MB) at the end; node flags: ${process.env.BENCH_NODE_FLAGS ?? DEFAULT_NODE_FLAGS}; env: ${AGENT_ENV || '(glibc defaults)'}`,
    `  segments:             recorded ${status.segmentsRecorded}, uploaded ${status.segmentsUploaded}, spooled ${status.segmentsSpooled}, dropped ${status.segmentsDropped}, input errors ${status.inputErrors}`,
    `  SIGTERM -> exit:      ${exitMs} ms (exit code ${exitCode})`,
    `peer ffmpeg -re -c copy -f hls -hls_key_info_file (same clip, local disk, no upload):`,
    `  ffmpeg CPU:           ${f.cpuPercent.toFixed(2)} % of one core; peak RSS ${(f.steadyPeakRssBytes / MB).toFixed(1)} MB; PSS ${(f.steadyPeakPssBytes / MB).toFixed(1)} MB`,
    `  ratio agent/ffmpeg:   CPU ${(a.cpuPercent / f.cpuPercent).toFixed(2)}x, RSS ${(a.steadyPeakRssBytes / f.steadyPeakRssBytes).toFixed(2)}x, PSS ${(a.steadyPeakPssBytes / f.steadyPeakPssBytes).toFixed(2)}x`,
  ];
  if (b && runB) {
    const m = runB.agent;
    const sb = runB.status;
    lines.push(
      `agent B (${b.label}), same window:`,
      `  agent B CPU:          ${m.cpuPercent.toFixed(2)} % of one core; peak RSS ${(m.steadyPeakRssBytes / MB).toFixed(1)} MB; PSS ${(m.steadyPeakPssBytes / MB).toFixed(1)} MB; segments recorded ${sb.segmentsRecorded}, uploaded ${sb.segmentsUploaded}, dropped ${sb.segmentsDropped}`,
      `  ratio B/A:            CPU ${(m.cpuPercent / a.cpuPercent).toFixed(2)}x, RSS ${(m.steadyPeakRssBytes / a.steadyPeakRssBytes).toFixed(2)}x; B/ffmpeg CPU ${(m.cpuPercent / f.cpuPercent).toFixed(2)}x`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'agent.json'), JSON.stringify({ clipMbps, seconds: SECONDS, agent: a, ffmpeg: f, memoryBuffer: buf, status, exitMs }, null, 2));
  await backend.stop();
}

/**
 * The A/B agent, when BENCH_AGENT_B (a bundle; `same` for A's), BENCH_NODE_FLAGS_B or
 * BENCH_AGENT_ENV_B is set: the same stream and backend, its own device id, spool and state.
 */
function startAgentB(backend: BenchBackend, settings: AgentSettings = agentSource()): { agent: ChildProcess; label: string } | undefined {
  const { BENCH_AGENT_B: bundle, BENCH_NODE_FLAGS_B: flags, BENCH_AGENT_ENV_B: env, BENCH_DEVICE_B: device } = process.env;
  if (bundle === undefined && flags === undefined && env === undefined && device === undefined) return undefined;
  const overrides = device ? (JSON.parse(device) as Record<string, unknown>) : undefined;
  const deviceJson = backend.writeDeviceJson({ ...settings, second: true, overrides });
  const nodeFlags = flags ?? process.env.BENCH_NODE_FLAGS ?? DEFAULT_NODE_FLAGS;
  const own = bundle && bundle !== 'same' ? resolve(bundle) : undefined;
  const launch: AgentLaunch = { root: ROOT, nodeFlags, env: agentEnv(env ?? AGENT_ENV), bundleAgent: own ? () => own : bundleAgent, runner: 'bundle' };
  return {
    agent: spawnAgent(launch, deviceJson),
    label: `${own ?? 'this build'}; node flags: ${nodeFlags}; env: ${env ?? AGENT_ENV}${device ? `; device.json: ${device}` : ''}`,
  };
}

/** What every variant measures with (the same stream, window and agent as the main run). */
const variant = {
  root: ROOT,
  out: OUT,
  seconds: SECONDS,
  warmupSeconds: WARMUP_SECONDS,
  segmentSeconds: SEGMENT_SECONDS,
  bitrateKbps: BITRATE_KBPS,
  nodeFlags: process.env.BENCH_NODE_FLAGS ?? DEFAULT_NODE_FLAGS,
  agentEnv: agentEnv(),
  bundleAgent,
  startAgentB,
};
if (process.argv.includes('--pictures')) {
  const { runPicturesVariant } = await import('./agent/pictures-variant.ts');
  await runPicturesVariant(variant);
} else if (process.argv.includes('--rtsp')) {
  const { runRtspVariant } = await import('./agent/rtsp-variant.ts');
  await runRtspVariant({ ...variant, formats: process.argv.includes('--formats') });
} else {
  await main();
}
