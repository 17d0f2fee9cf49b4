/**
 * `npm run bench:agent -- --pictures`: what keyframe pictures cost. The agent records a
 * 1080p25 ~5 Mbit/s H.264 container file (a keyframe every 2 s) through its ffmpeg child,
 * paced in real time, to the local S3, twice in a row on the same clip for the same time:
 * with pictures off (`imageIntervalSeconds: 0`: the child only copies) and on (the default
 * 60 s; the child also decodes each keyframe, `-skip_frame nokey`, and writes a 320 px
 * JPEG of it; the agent keeps one a minute). Printed: CPU and peak RSS of the agent + its
 * child for each, and the difference.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { cameraClip } from '../support/bench-clip.ts';
import { startBenchBackend } from './bench-backend.ts';
import { MB, measureAgentRun, type AgentVariantOptions, perProcess, spawnAgent } from './agent-run.ts';
import type { Measured } from './process-meter.ts';

export type PicturesVariantOptions = AgentVariantOptions;

async function runOnce(o: PicturesVariantOptions, clip: string, imageIntervalSeconds: number): Promise<{ m: Measured; status: Record<string, any> }> {
  const backend = await startBenchBackend();
  try {
    const deviceJson = backend.writeDeviceJson({
      source: { type: 'file', path: clip },
      segmentSeconds: o.segmentSeconds,
      bitrateKbps: o.bitrateKbps,
      imageIntervalSeconds,
    });
    const agent = spawnAgent({ root: o.root, nodeFlags: o.nodeFlags, env: o.agentEnv, bundleAgent: o.bundleAgent }, deviceJson);
    const run = await measureAgentRun({ agent, controlSocket: backend.controlSocket, warmupSeconds: o.warmupSeconds, seconds: o.seconds, withChildren: true });
    return { m: run.agent, status: run.status };
  } finally {
    await backend.stop();
  }
}

const fmt = (m: Measured) => `CPU ${m.cpuPercent.toFixed(2)} % of one core; peak RSS ${(m.steadyPeakRssBytes / MB).toFixed(1)} MB (agent + ffmpeg child)`;
const parts = perProcess;

export async function runPicturesVariant(o: PicturesVariantOptions): Promise<void> {
  const clipSeconds = o.seconds + o.warmupSeconds + 20;
  const clip = cameraClip(join(o.out, `agent-pictures-1080p25-${o.bitrateKbps}k-${clipSeconds}s.mkv`), clipSeconds, o.bitrateKbps);
  process.stderr.write(`bench: the agent recording ${clip} without and with keyframe pictures, ${o.seconds} s each after ${o.warmupSeconds} s warm-up ...\n`);
  const off = await runOnce(o, clip, 0);
  const on = await runOnce(o, clip, 60);
  const lines = [
    `camrec agent, keyframe pictures: 1080p25 H.264 at ${o.bitrateKbps} kbit/s from a container file through the agent's ffmpeg child (real time), keyframe every 2 s, ${o.seconds} s measured after ${o.warmupSeconds} s warm-up each`,
    `  pictures off (imageIntervalSeconds 0):  ${fmt(off.m)}`,
    `    of which:   ${parts(off.m)}`,
    `  pictures on  (imageIntervalSeconds 60): ${fmt(on.m)}; pictures recorded ${on.status.imagesRecorded}, uploaded ${on.status.imagesUploaded}`,
    `    of which:   ${parts(on.m)}`,
    `  cost of pictures: CPU +${(on.m.cpuPercent - off.m.cpuPercent).toFixed(2)} points of one core (${(on.m.cpuPercent / off.m.cpuPercent).toFixed(2)}x), RSS +${((on.m.steadyPeakRssBytes - off.m.steadyPeakRssBytes) / MB).toFixed(1)} MB`,
    `  segments: off ${off.status.segmentsRecorded} recorded / ${off.status.segmentsUploaded} uploaded; on ${on.status.segmentsRecorded} / ${on.status.segmentsUploaded}; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (other work on this machine adds noise to both runs)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(join(o.out, 'agent-pictures.json'), JSON.stringify({ seconds: o.seconds, off, on }, null, 2));
}
