import { parseArgs } from 'node:util';
import { DEVICE_ID_PATTERN, SegmentSeconds, segmentSecondsInRange } from '../../contract/index.ts';
import { LocalError, LocalUsageError } from '../local-error.ts';
import { agentCameraRunner } from '../stack/agent-camera-runner.ts';
import type { CameraSpec } from '../stack/camera-runner.ts';
import { startLocalStack } from '../stack/local-stack.ts';
import { DEFAULT_PACK_AFTER_MS, localPacking, parsePackAfter, type LocalPacking } from '../stack/local-packing.ts';

const USAGE = `usage: camrec local [--data-dir DIR] [--port N] [--segment-seconds S] [--fps N]
                    [--cameras N | --camera ID --source FILE|-|rtsp://... [--audio FILE] [--loop] [--fps N] [--rtsp-transport tcp|udp]
                                   [--container ts|fmp4] ...]
                    [--webhook URL] [--offline-after S] [--pack-after D]

Runs the whole camrec stack on this machine, no AWS account: S3 and DynamoDB emulators,
a mutual-TLS IoT credential provider, the indexer and playback API, a web player, and
one agent per camera fed from the sample clip (in real time, looped) or from a source.

  --data-dir DIR         where recordings, certificates and keys live (default .camrec)
  --port N               API and player port (default 8080; 0 picks a free one)
  --segment-seconds S    target segment length (default ${SegmentSeconds.LOCAL_DEFAULT}); EXT-X-TARGETDURATION is S rounded up
  --cameras N            run N cameras cam-1..cam-N on the sample clip (default 1)
  --camera ID            a camera with this id (an IoT thing name); repeat for more cameras.
                         The options after it, up to the next --camera, are its own:
  --source SRC             a raw H.264 or H.265 file (.h264, .h265, .hevc), a container file
                           (.mp4, .mkv, .ts: timestamps kept, needs ffmpeg), - for stdin, or an
                           rtsp:// URL (needs ffmpeg); H.264 or H.265 is told from the stream
  --audio FILE             ADTS AAC file to go with a raw --source FILE
  --loop                   loop a file source
  --fps N                  frame rate of a raw file (default: the stream's own, from
                           its SPS); before any --camera: for every camera
  --rtsp-transport T       tcp (default: RTP interleaved in the RTSP connection) or udp
  --container C            ts (MPEG-TS) or fmp4 (fragmented MP4 + init section); default ts
                           for H.264, fmp4 for H.265 (H.265 is recorded in fMP4 only);
                           before any --camera: for every camera
  --webhook URL          POST every notification (camera event started/ended, camera
                         offline/online) to URL as EventBridge event JSON, with retries
  --offline-after S      report a camera offline after S seconds of silence (default 90)
  --pack-after D         pack history into byte-range packs once it is about D old, as the
                         cloud does with whole hours (default 2m; 90s, 1h, or off)

Notifications also appear in this log and in the player.
`;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
/** Options that belong to the camera named by the --camera before them. */
const PER_CAMERA = new Set(['camera', 'source', 'audio', 'loop', 'fps', 'rtsp-transport', 'container']);

/** Parses `camrec local` arguments; throws LocalUsageError naming the problem. */
export function parseLocalArgs(argv: string[]): {
  dataDir: string;
  port: number;
  cameras: CameraSpec[];
  segmentSeconds: number;
  webhookUrl?: string;
  offlineAfterSeconds: number;
  packing: LocalPacking | false;
} {
  let values;
  let tokens;
  try {
    ({ values, tokens } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        cameras: { type: 'string' },
        camera: { type: 'string', multiple: true },
        source: { type: 'string', multiple: true },
        audio: { type: 'string', multiple: true },
        loop: { type: 'boolean', multiple: true },
        fps: { type: 'string', multiple: true },
        'rtsp-transport': { type: 'string', multiple: true },
        container: { type: 'string', multiple: true },
        'segment-seconds': { type: 'string' },
        webhook: { type: 'string' },
        'offline-after': { type: 'string' },
        'pack-after': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      tokens: true,
    }));
  } catch (err) {
    throw new LocalUsageError((err as Error).message);
  }
  const problems: string[] = [];
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) problems.push(`--port ${values.port} must be 0..65535`);
  const segmentSeconds = values['segment-seconds'] === undefined ? SegmentSeconds.LOCAL_DEFAULT : Number(values['segment-seconds']);
  if (!segmentSecondsInRange(segmentSeconds))
    problems.push(`--segment-seconds ${values['segment-seconds']} must be ${SegmentSeconds.MIN}..${SegmentSeconds.MAX}`);

  // Per-camera options in order: each --camera opens a camera; options before any --camera
  // belong to an implicit cam-1 when a --source is among them, else they are defaults for all.
  interface Draft {
    id?: string;
    source?: string;
    audio?: string;
    loop?: boolean;
    fps?: number;
    transport?: 'tcp' | 'udp';
    container?: 'ts' | 'fmp4';
  }
  const drafts: Draft[] = [];
  const defaults: Draft = {};
  let cur: Draft = defaults;
  for (const t of tokens ?? []) {
    if (t.kind !== 'option' || !PER_CAMERA.has(t.name)) continue;
    const v = t.value;
    switch (t.name) {
      case 'camera':
        cur = { id: v };
        drafts.push(cur);
        break;
      case 'source':
        if (cur === defaults) {
          cur = { ...defaults };
          drafts.push(cur);
        }
        if (cur.source !== undefined) problems.push(`--source given twice for ${cur.id ? `--camera ${cur.id}` : 'one camera'}: put a --camera ID before each`);
        cur.source = v;
        break;
      case 'audio':
        cur.audio = v;
        break;
      case 'loop':
        cur.loop = true;
        break;
      case 'fps': {
        const fps = Number(v);
        if (!(fps >= 1 && fps <= 120)) problems.push(`--fps ${v} must be 1..120`);
        cur.fps = fps;
        break;
      }
      case 'rtsp-transport':
        if (v !== 'tcp' && v !== 'udp') problems.push(`--rtsp-transport ${v} must be tcp or udp`);
        else cur.transport = v;
        break;
      case 'container':
        if (v !== 'ts' && v !== 'fmp4') problems.push(`--container ${v} must be ts (MPEG-TS) or fmp4 (fragmented MP4)`);
        else cur.container = v;
        break;
    }
  }

  const webhookUrl = values.webhook;
  if (webhookUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(webhookUrl))
    problems.push(`--webhook ${JSON.stringify(webhookUrl)} must be an http:// or https:// URL`);
  const offlineAfterSeconds = values['offline-after'] === undefined ? 90 : Number(values['offline-after']);
  if (!(Number.isInteger(offlineAfterSeconds) && offlineAfterSeconds >= 2 && offlineAfterSeconds <= 900))
    problems.push(`--offline-after ${values['offline-after']} must be a whole number of seconds from 2 to 900`);
  let cameras: CameraSpec[] = [];
  if (drafts.length) {
    if (values.cameras !== undefined) problems.push('give either --cameras N or --camera ID [--source ...], not both');
    const seen = new Set<string>();
    drafts.forEach((d, i) => {
      const id = d.id ?? `cam-${i + 1}`;
      if (!DEVICE_ID_PATTERN.test(id)) problems.push(`--camera ${JSON.stringify(id)} must be 1-128 of A-Z a-z 0-9 _ : - (an IoT thing name)`);
      if (seen.has(id)) problems.push(`--camera ${id} is given twice`);
      seen.add(id);
      const merged = { ...defaults, ...stripUndefined(d) };
      cameras.push({ id, source: sourceFor(merged), ...(merged.container ? { container: merged.container } : {}) });
    });
  } else {
    const n = values.cameras === undefined ? 1 : Number(values.cameras);
    if (!Number.isInteger(n) || n < 0 || n > 64) problems.push(`--cameras ${values.cameras} must be 0..64`);
    else {
      cameras = Array.from({ length: n }, (_, i) => ({
        id: `cam-${i + 1}`,
        source: defaults.fps ? { kind: 'sample', fps: defaults.fps } : { kind: 'sample' },
        ...(defaults.container ? { container: defaults.container } : {}),
      }));
    }
  }
  let packAfterMs: number | undefined = DEFAULT_PACK_AFTER_MS;
  if (values['pack-after'] !== undefined) {
    try {
      packAfterMs = parsePackAfter(values['pack-after']);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (values.help) throw new LocalUsageError('');
  if (problems.length) throw new LocalUsageError(problems.join('; '));
  return {
    dataDir: values['data-dir'] ?? '.camrec',
    port,
    cameras,
    segmentSeconds,
    offlineAfterSeconds,
    ...(webhookUrl ? { webhookUrl } : {}),
    packing: packAfterMs === undefined ? false : localPacking(packAfterMs),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sourceFor(d: { source?: string; audio?: string; loop?: boolean; fps?: number; transport?: 'tcp' | 'udp' }): CameraSpec['source'] {
  const src = d.source;
  if (src === undefined) return d.fps ? { kind: 'sample', fps: d.fps } : { kind: 'sample' };
  if (src === '-') return { kind: 'stdin' };
  if (/^rtsps?:\/\//.test(src)) return { kind: 'rtsp', url: src, ...(d.transport ? { transport: d.transport } : {}) };
  const file: Mutable<Extract<CameraSpec['source'], { kind: 'file' }>> = { kind: 'file', path: src, loop: d.loop ?? false };
  if (d.audio) file.audioPath = d.audio;
  if (d.fps) file.fps = d.fps;
  return file;
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseLocalArgs(argv);
  } catch (err) {
    const msg = (err as Error).message;
    process.stderr.write(msg ? `camrec local: ${msg}\n\n${USAGE}` : USAGE);
    return msg ? 2 : 0;
  }
  const t0 = performance.now();
  let stack;
  try {
    stack = await startLocalStack({ ...args, runCamera: agentCameraRunner, log: (line) => process.stderr.write(`camrec local: ${line}\n`) });
  } catch (err) {
    process.stderr.write(`camrec local: could not start: ${(err as Error).message}\n`);
    return err instanceof LocalError ? 2 : 1;
  }
  const { info } = stack;
  process.stdout.write(
    `camrec local is running (${Math.round(performance.now() - t0)} ms to start)\n` +
      `  player:   ${info.playerUrl}\n` +
      `  API:      ${info.apiUrl}\n` +
      `  S3:       ${info.s3Endpoint} (bucket ${info.bucket})\n` +
      `  cameras:  ${info.cameras.map((c) => `${c.id} (${c.source})`).join(', ') || 'none'}\n` +
      `  history:  ${info.packing ? `packed in ${info.packing.periodMs / 1000} s periods, ${info.packing.graceMs / 1000} s after each ends (the cloud: hours, 10 min after); --pack-after changes it` : 'not packed (--pack-after off)'}\n` +
      `  data:     ${stack.dataDir} (see local.json)\n` +
      `  events:   in this log and the player${args.webhookUrl ? `, POSTed to ${args.webhookUrl}` : ''}; offline after ${args.offlineAfterSeconds} s of silence\n` +
      `Press Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  process.stdout.write('camrec local: stopping (finishing open segments)...\n');
  await stack.stop();
  process.stdout.write('camrec local: stopped.\n');
  return 0;
}
