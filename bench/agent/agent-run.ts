import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentStatus, type AgentSettings, type BenchBackend } from './bench-backend.ts';
import { measure, type Measured } from './process-meter.ts';

export const MB = 1024 * 1024;

/** How the agent process is started. */
export interface AgentLaunch {
  root: string;
  /** V8 flags for the bundle (e.g. a small semi-space, as recommended on cameras). */
  nodeFlags: string;
  /** The agent's environment (MALLOC_ARENA_MAX, as on cameras); its ffmpeg child inherits it. */
  env?: NodeJS.ProcessEnv;
  /** Builds the esbuild bundle cameras run and returns its path. */
  bundleAgent: () => string;
  /** `bundle` (default): what ships to a camera, run by plain node; `tsx`: `bin/camrec.js agent` from the checkout. */
  runner?: 'bundle' | 'tsx';
}

/** What every agent bench variant runs with: the same stream, window and agent as the main run. */
export interface AgentVariantOptions {
  root: string;
  /** bench/out: generated clips and the JSON results. */
  out: string;
  seconds: number;
  warmupSeconds: number;
  segmentSeconds: number;
  bitrateKbps: number;
  nodeFlags: string;
  /** The agent's environment (MALLOC_ARENA_MAX, as on cameras); its ffmpeg child inherits it. */
  agentEnv: NodeJS.ProcessEnv;
  bundleAgent: () => string;
  /** Starts the A/B agent (BENCH_AGENT_B and friends) beside the first with these settings, or undefined when none is asked for. */
  startAgentB?: (backend: BenchBackend, settings: AgentSettings) => { agent: ChildProcess; label: string } | undefined;
}

/** `camrec agent --config deviceJson` as a child process, its status only on the control socket. */
export function spawnAgent(l: AgentLaunch, deviceJson: string): ChildProcess {
  const agentArgs = ['--config', deviceJson, '--status-seconds', '0'];
  const args =
    l.runner === 'tsx' ? [join(l.root, 'bin', 'camrec.js'), 'agent', ...agentArgs] : [...l.nodeFlags.split(' ').filter(Boolean), l.bundleAgent(), ...agentArgs];
  return spawn(process.execPath, args, { cwd: l.root, stdio: ['ignore', 'inherit', 'inherit'], env: l.env });
}

/**
 * The peer the agent is measured against: ffmpeg's HLS muxer with AES-128 (`-c copy -f hls
 * -hls_key_info_file`) writing to `{dir}/ffmpeg-hls` on local disk, i.e. the same segmenting
 * and encryption with no upload. `input`: ffmpeg's input options ending with `-i URL|FILE`.
 */
export function startHlsPeer(dir: string, input: readonly string[], segmentSeconds: number): ChildProcess {
  const hlsDir = join(dir, 'ffmpeg-hls');
  mkdirSync(hlsDir);
  writeFileSync(join(hlsDir, 'k.bin'), randomBytes(16));
  writeFileSync(join(hlsDir, 'k.info'), `k.bin\n${join(hlsDir, 'k.bin')}\n${randomBytes(16).toString('hex')}\n`);
  const hls = ['-hls_time', String(segmentSeconds), '-hls_list_size', '5', '-hls_flags', 'delete_segments', '-hls_key_info_file', join(hlsDir, 'k.info')];
  return spawn('ffmpeg', ['-v', 'error', ...input, '-c', 'copy', '-f', 'hls', ...hls, join(hlsDir, 'live.m3u8')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface AgentRun {
  /** The agent (with `withChildren`, summed with its ffmpeg child). */
  agent: Measured;
  /** The peer over the same window, when one ran. */
  peer: Measured | undefined;
  /** GET /v1/status at the end of the window. */
  status: Record<string, any>;
  /** SIGTERM to exit. */
  exitMs: number;
  exitCode: number | null;
}

/**
 * The measurement every agent bench shares: the running agent (with `withChildren`, its
 * ffmpeg child too) and, when given, a peer process, sampled over the same window
 * (`warmupSeconds`, then `seconds`); then the agent's status from its control socket, and
 * SIGTERM to both (the agent's exit timed). Both are killed if anything fails or the bench
 * process exits first.
 */
export async function measureAgentRun(o: {
  agent: ChildProcess;
  peer?: ChildProcess;
  controlSocket: string;
  warmupSeconds: number;
  seconds: number;
  withChildren?: boolean;
}): Promise<AgentRun> {
  const { agent, peer } = o;
  const killAll = () => {
    agent.kill('SIGKILL');
    peer?.kill('SIGKILL');
  };
  process.once('exit', killAll);
  try {
    const window = { warmupSeconds: o.warmupSeconds, seconds: o.seconds };
    const [a, p] = await Promise.all([measure(agent.pid!, { ...window, withChildren: o.withChildren }), peer ? measure(peer.pid!, window) : undefined]);
    const status = await agentStatus(o.controlSocket);
    const t0 = Date.now();
    const exited = new Promise<number | null>((r) => agent.once('exit', (code) => r(code)));
    agent.kill('SIGTERM');
    const exitCode = await exited;
    const exitMs = Date.now() - t0;
    peer?.kill('SIGTERM');
    return { agent: a, peer: p, status, exitMs, exitCode };
  } catch (e) {
    killAll();
    throw e;
  } finally {
    process.removeListener('exit', killAll);
  }
}

/** CPU and RSS of each measured process: the agent first, then its ffmpeg child. */
export const perProcess = (m: Measured): string =>
  m.parts.map((p, i) => `${i === 0 ? 'agent (node)' : 'ffmpeg child'} CPU ${p.cpuPercent.toFixed(2)} %, RSS ${(p.peakRssBytes / MB).toFixed(1)} MB`).join('; ');
