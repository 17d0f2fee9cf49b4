/**
 * `npm run bench:agent -- --rtsp`: the agent recording an RTSP camera, as on a gateway.
 * Debian's gst-rtsp-server serves a 1080p25 ~5 Mbit/s H.264 stream (a file, paced in
 * real time by the server, so its CPU is no encoder's); the agent (the esbuild bundle, as
 * shipped) records it through its ffmpeg child (`-c:v copy -f mpegts`), segments,
 * encrypts and uploads to the local S3, keyframe pictures off (the peer decodes nothing;
 * `--pictures` measures them). Measured together: the agent and its ffmpeg child
 * (CPU, peak RSS and PSS). Peer in the same run, from the same RTSP URL at the same time:
 * ffmpeg alone writing AES-128 HLS to local disk (`-c copy -f hls -hls_key_info_file`).
 *
 * With `--formats` it also measures what decided the child's output format: the ffmpeg
 * child alone writing MPEG-TS, NUT or raw H.264 to a pipe that Node reads (CPU and RSS of
 * ffmpeg, bytes per second), and the agent's TS demuxer on those bytes in-process.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspServer } from '../../test/support/rtsp/rtsp-server.ts';
import { TsDemuxer } from '../../media/ts/ts-demuxer.ts';
import { cameraClip } from '../support/bench-clip.ts';
import { startBenchBackend } from './bench-backend.ts';
import { MB, measureAgentRun, type AgentVariantOptions, perProcess, spawnAgent, startHlsPeer } from './agent-run.ts';
import { measure, type Measured } from './process-meter.ts';

export interface RtspVariantOptions extends AgentVariantOptions {
  /** Also measure the ffmpeg child's output formats (MPEG-TS, NUT, raw H.264). */
  formats: boolean;
}

const fmt = (m: Measured) =>
  `CPU ${m.cpuPercent.toFixed(2)} % of one core; peak RSS ${(m.steadyPeakRssBytes / MB).toFixed(1)} MB, PSS ${(m.steadyPeakPssBytes / MB).toFixed(1)} MB`;

export async function runRtspVariant(o: RtspVariantOptions): Promise<void> {
  const clipSeconds = o.seconds + o.warmupSeconds + 30;
  // Long enough for the whole run: the server plays it once, in real time.
  const clip = cameraClip(join(o.out, `agent-rtsp-1080p25-${o.bitrateKbps}k-${clipSeconds}s.mkv`), clipSeconds, o.bitrateKbps);
  const server = await startRtspServer({ '/cam': `filesrc location=${clip} ! matroskademux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1` });
  const url = server.url('/cam');
  const backend = await startBenchBackend();
  // Recording only, the work the peer does: keyframe pictures (on by default, a decoder in the
  // child) are measured on their own by `--pictures`. BENCH_RTSP_PICTURES=1 leaves them on.
  const imageIntervalSeconds = process.env.BENCH_RTSP_PICTURES === '1' ? undefined : 0;
  const settings = { source: { type: 'rtsp', url }, segmentSeconds: o.segmentSeconds, bitrateKbps: o.bitrateKbps, imageIntervalSeconds };
  const deviceJson = backend.writeDeviceJson(settings);
  const agent = spawnAgent({ root: o.root, nodeFlags: o.nodeFlags, env: o.agentEnv, bundleAgent: o.bundleAgent }, deviceJson);
  const peer = startHlsPeer(backend.dir, ['-rtsp_transport', 'tcp', '-i', url], o.segmentSeconds);
  // A/B (BENCH_AGENT_B, ...): a second agent and its child on the same URL over the same window.
  const b = o.startAgentB?.(backend, settings);
  process.stderr.write(
    `bench: RTSP ${url}: measuring the agent${b ? 's A and B' : ''} + ffmpeg child and ffmpeg alone for ${o.seconds} s after ${o.warmupSeconds} s warm-up ...\n`,
  );
  const window = { warmupSeconds: o.warmupSeconds, seconds: o.seconds, withChildren: true };
  const [run, runB] = await Promise.all([
    measureAgentRun({ agent, peer, controlSocket: backend.controlSocket, ...window }),
    b ? measureAgentRun({ agent: b.agent, controlSocket: backend.controlSocketB, ...window }) : undefined,
  ]);
  const { agent: a, status } = run;
  const f = run.peer!;

  const lines = [
    `camrec agent, RTSP source (Debian gst-rtsp-server, TCP interleaved): 1080p25 H.264 at ${o.bitrateKbps} kbit/s, ${o.segmentSeconds} s segments, AES-128, local S3, keyframe pictures ${imageIntervalSeconds === 0 ? 'off (see --pictures)' : 'on'}, ${o.seconds} s measured after ${o.warmupSeconds} s warm-up`,
    `  agent + its ffmpeg child (${a.processes} processes): ${fmt(a)}`,
    `    of which:           ${perProcess(a)}`,
    `  segments:             recorded ${status.segmentsRecorded}, uploaded ${status.segmentsUploaded}, input errors ${status.inputErrors}, source errors ${status.sourceErrors}`,
    `peer ffmpeg -rtsp_transport tcp -i URL -c copy -f hls -hls_key_info_file (same URL at the same time, local disk, no upload):`,
    `  ffmpeg alone:         ${fmt(f)}`,
    `  ratio pair/ffmpeg:    CPU ${(a.cpuPercent / f.cpuPercent).toFixed(2)}x, RSS ${(a.steadyPeakRssBytes / f.steadyPeakRssBytes).toFixed(2)}x, PSS ${(a.steadyPeakPssBytes / f.steadyPeakPssBytes).toFixed(2)}x   (target <= 1.5x)`,
  ];
  if (b && runB) {
    const m = runB.agent;
    lines.push(
      `agent B (${b.label}) + its ffmpeg child, same URL and window:`,
      `  pair B:               ${fmt(m)}`,
      `    of which:           ${perProcess(m)}`,
      `  segments B:           recorded ${runB.status.segmentsRecorded}, uploaded ${runB.status.segmentsUploaded}, input errors ${runB.status.inputErrors}`,
      `  ratio B/A:            pair CPU ${(m.cpuPercent / a.cpuPercent).toFixed(2)}x, agent (node) CPU ${((m.parts[0]?.cpuPercent ?? 0) / (a.parts[0]?.cpuPercent ?? 1)).toFixed(2)}x; pair B/ffmpeg CPU ${(m.cpuPercent / f.cpuPercent).toFixed(2)}x`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const result: Record<string, unknown> = { url, seconds: o.seconds, pair: a, pairB: runB?.agent, ffmpeg: f, status };
  if (o.formats) result.formats = await measureFormats(url, o);
  writeFileSync(join(o.out, 'agent-rtsp.json'), JSON.stringify(result, null, 2));
  await backend.stop();
  await server.stop();
}

/** The ffmpeg child alone per output format, read by Node and thrown away; plus the TS demuxer's cost on the TS bytes. */
async function measureFormats(url: string, o: RtspVariantOptions): Promise<Record<string, unknown>> {
  const formats: Array<[string, string[]]> = [
    ['mpegts', ['-bsf:v', 'noise=drop=eq(pts\\,nopts)', '-f', 'mpegts', '-pes_payload_size', '0', '-flush_packets', '1']],
    ['nut', ['-f', 'nut', '-flush_packets', '1']],
    ['h264 (no timestamps)', ['-bsf:v', 'h264_mp4toannexb', '-f', 'h264']],
  ];
  const seconds = Math.min(30, o.seconds);
  const out: Record<string, unknown> = {};
  process.stdout.write(`ffmpeg child alone by output format (RTSP in, -c:v copy, to a pipe Node reads), ${seconds} s each:\n`);
  for (const [name, args] of formats) {
    const child = spawn('ffmpeg', ['-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-map', '0:v:0', '-c:v', 'copy', ...args, 'pipe:1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let bytes = 0;
    const kept: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => {
      bytes += c.byteLength;
      if (name === 'mpegts' && kept.length < 4000) kept.push(c);
    });
    const m = await measure(child.pid!, { warmupSeconds: 3, seconds });
    child.kill('SIGKILL');
    const mbps = (bytes * 8) / (seconds + 3) / 1e6;
    let demux = '';
    if (name === 'mpegts') {
      const ts = Buffer.concat(kept);
      const t0 = process.cpuUsage();
      const rounds = 5;
      for (let r = 0; r < rounds; r++) {
        const d = new TsDemuxer({ onProgram: () => {}, onPes: () => {} });
        for (let at = 0; at < ts.byteLength; at += 65536) d.push(ts.subarray(at, at + 65536));
        d.flush();
      }
      const cpuMs = (process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1000 / rounds;
      const perSecond = cpuMs / (ts.byteLength / (bytes / (seconds + 3) || 1)) / 10;
      demux = `; agent TS demuxer: ${(ts.byteLength / MB / (cpuMs / 1000)).toFixed(0)} MB/s in-process = ${perSecond.toFixed(3)} % of one core for this stream`;
      out.demuxMBps = ts.byteLength / MB / (cpuMs / 1000);
    }
    process.stdout.write(`  ${name.padEnd(22)} ${fmt(m)}; ${mbps.toFixed(2)} Mbit/s on the pipe${demux}\n`);
    out[name] = { ...m, pipeMbps: mbps };
  }
  return out;
}
