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
 * `npm run bench:agent -- --rtsp` runs the RTSP variant instead (bench/agent/rtsp-variant.ts):
 * the same 1080p stream from Debian's gst-rtsp-server, the agent and its ffmpeg child
 * against ffmpeg alone writing HLS from the same URL; `--formats` adds the measurement
 * behind the ffmpeg child's output format (MPEG-TS vs NUT vs raw H.264).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startS3rver } from '../local/emulators/start-s3rver.ts';
import { CredentialRegistry } from '../local/iot/credential-registry.ts';
import { startIotCredentialProvider } from '../local/iot/iot-credential-provider.ts';
import { createCertificateAuthority, issueDeviceCertificate, issueServerCertificate } from '../local/pki/certificate-authority.ts';
import { startS3Front } from '../local/s3-front/s3-front-server.ts';
import { defaultMemoryBytes } from '../device/config/device-config-schema.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const CLIP = join(OUT, 'agent-1080p25-5mbps.h264');
const CLIP_SECONDS = 20;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARMUP_SECONDS = 6;
const SEGMENT_SECONDS = 2;
const BITRATE_KBPS = 5000;
const BUCKET = 'camrec-bench';
const DEVICE = 'bench-cam';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const MB = 1024 * 1024;

/**
 * How the agent runs: `bundle` (default) is what ships to a camera, one esbuild bundle run
 * by plain node; `tsx` is `bin/camrec.js` from a checkout (adds the TypeScript loader's
 * ~60 MB). Set BENCH_AGENT_RUNNER=tsx to measure that.
 */
/** V8 flags for the agent process: a 1 MB young-generation semi-space keeps RSS near the live set (recommended on cameras). */
const DEFAULT_NODE_FLAGS = '--max-semi-space-size=1';
/**
 * Environment for the agent process, as recommended on cameras (scripts/build-agent.sh prints it):
 * one glibc malloc arena, so memory freed by libuv's and V8's worker threads goes back to one
 * heap instead of sitting in per-thread arenas (measured: ~6 MB less RSS, no CPU cost seen).
 * BENCH_AGENT_ENV replaces it ('' for glibc's defaults).
 */
const DEFAULT_AGENT_ENV = 'MALLOC_ARENA_MAX=1';
const AGENT_ENV = process.env.BENCH_AGENT_ENV ?? DEFAULT_AGENT_ENV;
function agentEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const kv of AGENT_ENV.split(' ').filter(Boolean)) {
    const at = kv.indexOf('=');
    env[kv.slice(0, at)] = kv.slice(at + 1);
  }
  return env;
}
const RUNNER = process.env.BENCH_AGENT_RUNNER === 'tsx' ? 'tsx' : 'bundle';

function bundleAgent(): string {
  const out = join(OUT, 'camrec-agent.mjs');
  // The same bundle `npm run build:agent` ships to cameras.
  execFileSync('bash', [join(ROOT, 'scripts', 'build-agent.sh'), out], { stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

function makeClip(): void {
  if (existsSync(CLIP)) return;
  mkdirSync(OUT, { recursive: true });
  process.stderr.write(`bench: generating ${CLIP_SECONDS} s of 1080p25 at ${BITRATE_KBPS} kbit/s into ${CLIP} ...\n`);
  execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-t',
      String(CLIP_SECONDS),
      '-i',
      'testsrc2=size=1920x1080:rate=25',
      '-vf',
      'noise=alls=8:allf=t',
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-bf',
      '0',
      '-g',
      '50',
      '-keyint_min',
      '50',
      '-sc_threshold',
      '0',
      '-b:v',
      `${BITRATE_KBPS}k`,
      '-maxrate',
      `${BITRATE_KBPS}k`,
      '-bufsize',
      `${BITRATE_KBPS}k`,
      '-f',
      'h264',
      CLIP,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
}

/** utime + stime of a process, in seconds (/proc/{pid}/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** VmRSS and VmHWM (peak) in bytes from /proc/{pid}/status; Pss (shared pages split among their users) from smaps_rollup. */
function memory(pid: number): { rss: number; hwm: number; pss: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (text: string, name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb(s, 'VmRSS'), hwm: kb(s, 'VmHWM'), pss: kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss') };
}

interface Measured {
  cpuPercent: number;
  steadyPeakRssBytes: number;
  lifetimePeakRssBytes: number;
  steadyPeakPssBytes: number;
}

/** Samples a running process from WARMUP_SECONDS for SECONDS. */
async function measure(child: ChildProcess): Promise<Measured> {
  const pid = child.pid!;
  await sleep(WARMUP_SECONDS * 1000);
  const cpu0 = cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  let steadyPeak = 0;
  let steadyPeakPss = 0;
  for (let i = 0; i < SECONDS; i++) {
    await sleep(1000);
    const m = memory(pid);
    steadyPeak = Math.max(steadyPeak, m.rss);
    steadyPeakPss = Math.max(steadyPeakPss, m.pss);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds(pid) - cpu0;
  return { cpuPercent: (100 * cpu) / wall, steadyPeakRssBytes: steadyPeak, lifetimePeakRssBytes: memory(pid).hwm, steadyPeakPssBytes: steadyPeakPss };
}

function getStatus(socketPath: string): Promise<Record<string, any>> {
  return new Promise((resolveStatus, reject) => {
    const req = request({ socketPath, path: '/v1/status' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveStatus(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  makeClip();
  const clipMbps = (statSync(CLIP).size * 8) / CLIP_SECONDS / 1e6;
  const dir = mkdtempSync(join(tmpdir(), 'camrec-bench-agent-'));
  const ca = createCertificateAuthority('bench CA');
  const server = issueServerCertificate(ca);
  const device = issueDeviceCertificate(ca, DEVICE);
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'device.crt'), device.certPem);
  writeFileSync(join(dir, 'device.key'), device.keyPem);
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'content.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const registry = new CredentialRegistry();
  const iot = await startIotCredentialProvider({ caCertPem: ca.certPem, serverCertPem: server.certPem, serverKeyPem: server.keyPem, registry });
  const s3 = await startS3rver({ bucketName: BUCKET });
  const front = await startS3Front({ upstream: s3.endpoint, bucket: BUCKET, registry });
  const socketPath = join(dir, 'control.sock');
  const config = {
    deviceId: DEVICE,
    region: 'us-east-1',
    bucket: BUCKET,
    s3: { endpoint: front.endpoint, forcePathStyle: true },
    credentials: {
      endpoint: iot.endpoint.replace('https://', ''),
      roleAlias: 'camrec-device',
      certificateFile: 'device.crt',
      privateKeyFile: 'device.key',
      caFile: 'ca.pem',
    },
    contentKeyPublicKeyFile: 'content.pub.pem',
    segmentSeconds: SEGMENT_SECONDS,
    expectedBitrateKbps: BITRATE_KBPS,
    buffer: { spoolDir: 'spool' },
    stateDir: 'state',
    control: { socketPath },
    source: { type: 'file', path: CLIP, fps: 25, loop: true },
    log: { level: 'warn' },
  };
  writeFileSync(join(dir, 'device.json'), JSON.stringify(config, null, 2));

  // Peer: ffmpeg HLS muxer + AES-128 on the same clip, paced in real time, to local disk.
  const hlsDir = join(dir, 'ffmpeg-hls');
  mkdirSync(hlsDir);
  writeFileSync(join(hlsDir, 'k.bin'), randomBytes(16));
  writeFileSync(join(hlsDir, 'k.info'), `k.bin\n${join(hlsDir, 'k.bin')}\n${randomBytes(16).toString('hex')}\n`);
  // ffmpeg cannot seek back in a raw .h264 to loop it: it loops the same frames remuxed into Matroska.
  const clipMkv = CLIP.replace(/\.h264$/, '.mkv');
  if (!existsSync(clipMkv)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-framerate', '25', '-f', 'h264', '-i', CLIP, '-c', 'copy', clipMkv]);
  const ffmpeg = spawn(
    'ffmpeg',
    [
      '-v',
      'error',
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      clipMkv,
      '-c',
      'copy',
      '-f',
      'hls',
      '-hls_time',
      String(SEGMENT_SECONDS),
      '-hls_list_size',
      '5',
      '-hls_flags',
      'delete_segments',
      '-hls_key_info_file',
      join(hlsDir, 'k.info'),
      join(hlsDir, 'live.m3u8'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );

  const agentArgs = ['--config', join(dir, 'device.json'), '--status-seconds', '0'];
  const agent = spawn(
    process.execPath,
    RUNNER === 'tsx'
      ? [join(ROOT, 'bin', 'camrec.js'), 'agent', ...agentArgs]
      : [...(process.env.BENCH_NODE_FLAGS ?? DEFAULT_NODE_FLAGS).split(' ').filter(Boolean), bundleAgent(), ...agentArgs],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: agentEnv(),
    },
  );
  process.stderr.write(`bench: measuring camrec agent and ffmpeg for ${SECONDS} s after ${WARMUP_SECONDS} s warm-up ...\n`);
  const killAll = () => {
    agent.kill('SIGKILL');
    ffmpeg.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const [a, f] = await Promise.all([measure(agent), measure(ffmpeg)]).catch((e: unknown) => {
    killAll();
    throw e;
  });
  const status = await getStatus(socketPath);
  const t0 = Date.now();
  const exited = new Promise<number | null>((r) => agent.on('exit', (code) => r(code)));
  agent.kill('SIGTERM');
  const exitCode = await exited;
  const exitMs = Date.now() - t0;
  ffmpeg.kill('SIGTERM');

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
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'agent.json'), JSON.stringify({ clipMbps, seconds: SECONDS, agent: a, ffmpeg: f, memoryBuffer: buf, status, exitMs }, null, 2));
  await front.stop();
  await s3.close();
  await iot.stop();
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv.includes('--pictures')) {
  const { runPicturesVariant } = await import('./agent/pictures-variant.ts');
  await runPicturesVariant({
    root: ROOT,
    out: OUT,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    segmentSeconds: SEGMENT_SECONDS,
    bitrateKbps: BITRATE_KBPS,
    nodeFlags: process.env.BENCH_NODE_FLAGS ?? DEFAULT_NODE_FLAGS,
    agentEnv: agentEnv(),
    bundleAgent,
  });
} else if (process.argv.includes('--rtsp')) {
  const { runRtspVariant } = await import('./agent/rtsp-variant.ts');
  await runRtspVariant({
    root: ROOT,
    out: OUT,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    segmentSeconds: SEGMENT_SECONDS,
    bitrateKbps: BITRATE_KBPS,
    nodeFlags: process.env.BENCH_NODE_FLAGS ?? DEFAULT_NODE_FLAGS,
    agentEnv: agentEnv(),
    bundleAgent,
    formats: process.argv.includes('--formats'),
  });
} else {
  await main();
}
