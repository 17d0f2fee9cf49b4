/**
 * npm run bench:e2e — the local stack end to end.
 *
 * 1. Segment latency: from the last frame of a segment entering the agent to that
 *    segment being listed in the LIVE playlist (agent -> mux -> AES -> IoT creds -> S3
 *    front -> s3rver -> ObjectCreated -> indexer -> DynamoDB -> playlist), p50/p99 over
 *    BENCH_SEGMENTS segments (default 50, 2 s each, the sample clip in real time).
 *    Peer, same run: a bare PUT of the same bytes straight to s3rver.
 * 2. `camrec local` (a child process, as a user runs it: bin/camrec.js, the JavaScript
 *    `npm ci` builds into dist/) to the first playable segment: first run on an empty data
 *    dir, then BENCH_RESTARTS (default 3) restarts on it, median printed. Targets: segment
 *    length + 2 s, and under 3 s on a restart. Peer, same run: `camrec --help`.
 *    `npm run bench:e2e -- --start-only` runs part 2 alone.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createAgent } from '../device/agent/agent.ts';
import { createJsonLogger } from '../device/core/json-logger.ts';
import { parseDeviceConfig } from '../device/config/index.ts';
import { FileSource } from '../device/sources/file-source.ts';
import type { MediaInput } from '../device/sources/media-input.ts';
import { parseObjectKey } from '../contract/index.ts';
import { signedFetch } from '../local/auth/signed-fetch.ts';
import { emulatorS3Client } from '../local/emulators/start-s3rver.ts';
import { localDeviceConfig, SAMPLE_AUDIO_PATH, SAMPLE_FPS, SAMPLE_VIDEO_PATH, seedSequenceState } from '../local/stack/agent-camera-runner.ts';
import type { CameraRunner } from '../local/stack/camera-runner.ts';
import { startLocalStack, type LocalStackInfo } from '../local/stack/local-stack.ts';

const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 50);
const SEGMENT_SECONDS = 2;
const CAMREC = fileURLToPath(new URL('../bin/camrec.js', import.meta.url));
const CAM = 'cam-1';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (x: number) => `${x.toFixed(0).padStart(5)} ms`;

async function sessionUrl(info: Pick<LocalStackInfo, 'apiUrl' | 'credentials' | 'region'>, signal?: AbortSignal): Promise<string> {
  const res = await signedFetch(`${info.apiUrl}/v1/cameras/${CAM}/sessions`, {
    credentials: info.credentials,
    region: info.region,
    json: { mode: 'LIVE' },
    signal,
  });
  if (res.status !== 201) throw new Error(`sessions answered ${res.status}`);
  return ((await res.json()) as { playlistUrl: string }).playlistUrl;
}

async function segmentLatency(): Promise<{ e2e: number[]; barePut: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'camrec-bench-e2e-'));
  /** frame capture time -> when it entered the agent (Date.now()) */
  const entered = new Map<number, number>();
  const runCamera: CameraRunner = async (ctx) => {
    const config = parseDeviceConfig({ ...localDeviceConfig(ctx, 0), source: { type: 'api' } }, ctx.dir);
    await seedSequenceState(config.stateDir, Date.now());
    const agent = createAgent(config, { log: createJsonLogger({ level: 'error', fields: {} }) });
    await agent.start();
    const input: MediaInput = {
      putVideoFrame(au, ts) {
        entered.set(ts!, Date.now());
        agent.putVideoFrame(au, ts);
      },
      putAudioFrame: (f, ts) => agent.putAudioFrame(f, ts),
      pushVideo: (c, t) => agent.pushVideo(c, t),
      pushAudio: (c, t) => agent.pushAudio(c, t),
      cutSegment: () => agent.cutSegment(),
      noteSourceError: (e) => agent.noteSourceError(e),
    };
    const source = new FileSource(input, { videoPath: SAMPLE_VIDEO_PATH, audioPath: SAMPLE_AUDIO_PATH, fps: SAMPLE_FPS, loop: true });
    source.start();
    return {
      id: ctx.spec.id,
      controlUrl: agent.controlAddress,
      stop: async () => {
        await source.stop();
        await agent.stop();
      },
    };
  };
  const stack = await startLocalStack({ dataDir: dir, cameras: [{ id: CAM, source: { kind: 'sample' } }], segmentSeconds: SEGMENT_SECONDS, runCamera });
  const playlistUrl = await sessionUrl(stack.info);
  const s3rverDirect = emulatorS3Client(stack.s3rverEndpoint);
  const e2e: number[] = [];
  const barePut: number[] = [];
  let warmup = 2; // the first segments also pay for credentials, keys and cold caches
  await new Promise<void>((resolve) => {
    const off = stack.onIndexed((key) => {
      let parsed;
      try {
        parsed = parseObjectKey(key);
      } catch {
        return;
      }
      if (parsed.kind !== 'segment') return;
      const name = `${parsed.startMs}-${parsed.seq}.ts`;
      void (async () => {
        let duration: number | undefined;
        for (;;) {
          duration = listedDurationMs(await (await fetch(playlistUrl)).text(), name);
          if (duration !== undefined) break;
          await new Promise((r) => setTimeout(r, 5));
        }
        const listedAt = Date.now();
        const lastFrameTs = Math.max(...[...entered.keys()].filter((t) => t >= parsed.startMs && t < parsed.startMs + duration!));
        const lastFrameAt = entered.get(lastFrameTs);
        if (warmup > 0) {
          warmup--;
          return;
        }
        if (lastFrameAt === undefined || e2e.length >= SEGMENTS) return;
        e2e.push(listedAt - lastFrameAt);
        // peer: the same number of bytes PUT straight to s3rver
        const t0 = performance.now();
        await s3rverDirect.send(
          new PutObjectCommand({
            Bucket: stack.info.bucket,
            Key: `bench/${randomBytes(8).toString('hex')}`,
            Body: randomBytes(Math.round((400_000 * duration!) / 8000)),
          }),
        );
        barePut.push(performance.now() - t0);
        process.stdout.write(`\r  segments measured: ${e2e.length}/${SEGMENTS}`);
        if (e2e.length >= SEGMENTS) {
          off();
          resolve();
        }
      })();
    });
  });
  process.stdout.write('\n');
  s3rverDirect.destroy();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
  return { e2e, barePut };
}

/** The EXTINF duration (ms) of the segment named `name` in playlist text, if listed. */
function listedDurationMs(text: string, name: string): number | undefined {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim() === `segments/${name}` || l.trim().endsWith(`/${name}`) || l.trim() === name);
  if (i < 0) return undefined;
  for (let j = i - 1; j >= 0; j--) if (lines[j]!.startsWith('#EXTINF:')) return parseFloat(lines[j]!.slice(8)) * 1000;
  return undefined;
}

/** Spawns `camrec local` and waits until the LIVE playlist lists a segment. */
async function timeToFirstSegment(dataDir: string): Promise<{ readyMs: number; firstSegmentMs: number }> {
  await rm(join(dataDir, 'local.json'), { force: true });
  const t0 = performance.now();
  const startedAtMs = Date.now();
  const child = spawn(process.execPath, [CAMREC, 'local', '--port', '0', '--data-dir', dataDir, '--segment-seconds', String(SEGMENT_SECONDS)], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  try {
    while (!out.includes('Press Ctrl-C')) {
      if (child.exitCode !== null) throw new Error(`camrec local exited: ${out}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyMs = performance.now() - t0;
    const info = JSON.parse(await readFile(join(dataDir, 'local.json'), 'utf8')) as LocalStackInfo;
    const url = await sessionUrl(info);
    for (;;) {
      // a segment recorded by this run (a restart's playlist still lists the last run's)
      const starts = [...(await (await fetch(url)).text()).matchAll(/(\d{13})-\d+\.ts/g)].map((m) => Number(m[1]));
      if (starts.some((ms) => ms >= startedAtMs)) return { readyMs, firstSegmentMs: performance.now() - t0 };
      if (performance.now() - t0 > 60_000) throw new Error('no segment within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
}

async function helpStartMs(): Promise<number> {
  const t0 = performance.now();
  await new Promise((r) => spawn(process.execPath, [CAMREC, '--help'], { stdio: 'ignore' }).once('exit', r));
  return performance.now() - t0;
}

const startOnly = process.argv.includes('--start-only');
const RESTARTS = Math.max(1, Number(process.env.BENCH_RESTARTS ?? 3));
console.log(
  `camrec bench:e2e — node ${process.version}, ${SEGMENTS} segments of ${SEGMENT_SECONDS} s (sample clip, real time)${startOnly ? '; part 2 only' : ''}; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
if (!startOnly) {
  const { e2e, barePut } = await segmentLatency();
  console.log('\n1. last frame into the agent -> segment listed in the LIVE playlist');
  console.log(
    `   camrec pipeline   p50 ${ms(pct(e2e, 50))}   p99 ${ms(pct(e2e, 99))}   max ${ms(Math.max(...e2e))}   (target p99 < 500 ms: ${pct(e2e, 99) < 500 ? 'met' : 'NOT met'})`,
  );
  console.log(`   peer: bare PUT    p50 ${ms(pct(barePut, 50))}   p99 ${ms(pct(barePut, 99))}   (a segment's worth of bytes straight to s3rver)`);
  console.log(`   ratio p50 pipeline / bare PUT: ${(pct(e2e, 50) / pct(barePut, 50)).toFixed(1)}x`);
}

// What a user runs is dist/ (built by npm ci): rebuild it from these sources first.
execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
const dir = await mkdtemp(join(tmpdir(), 'camrec-bench-start-'));
const help = await helpStartMs();
const cold = await timeToFirstSegment(dir);
const warms: Array<{ readyMs: number; firstSegmentMs: number }> = [];
for (let i = 0; i < RESTARTS; i++) warms.push(await timeToFirstSegment(dir));
await rm(dir, { recursive: true, force: true });
const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};
const warm = { readyMs: median(warms.map((w) => w.readyMs)), firstSegmentMs: median(warms.map((w) => w.firstSegmentMs)) };
const targetMs = SEGMENT_SECONDS * 1000 + 2000;
console.log(`\n2. camrec local start -> first playable segment (target <= ${targetMs} ms; on a restart under 3,000 ms)`);
console.log(
  `   first run (empty data dir)  ready ${ms(cold.readyMs)}   first segment ${ms(cold.firstSegmentMs)}   ${cold.firstSegmentMs <= targetMs ? 'met' : 'NOT met'}`,
);
console.log(
  `   restart (same data dir)     ready ${ms(warm.readyMs)}   first segment ${ms(warm.firstSegmentMs)} (median of ${RESTARTS}: ${warms.map((w) => ms(w.firstSegmentMs)).join(', ')})   ${warm.firstSegmentMs <= targetMs ? 'met' : 'NOT met'}; under 3 s: ${warm.firstSegmentMs < 3000 ? 'met' : 'NOT met'}`,
);
console.log(`   peer: camrec --help         ${ms(help)}   ratio restart first segment / --help: ${(warm.firstSegmentMs / help).toFixed(1)}x`);
