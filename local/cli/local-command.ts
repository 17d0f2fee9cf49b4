import { parseArgs } from 'node:util';
import { DEVICE_ID_PATTERN } from '../../contract/index.ts';
import { LocalError, LocalUsageError } from '../local-error.ts';
import { agentCameraRunner } from '../stack/agent-camera-runner.ts';
import type { CameraSpec } from '../stack/camera-runner.ts';
import { startLocalStack } from '../stack/local-stack.ts';

const USAGE = `usage: camrec local [--data-dir DIR] [--port N] [--cameras N | --camera ID --source FILE|-|rtsp://...] [--loop] [--segment-seconds S]

Runs the whole camrec stack on this machine, no AWS account: S3 and DynamoDB emulators,
a mutual-TLS IoT credential provider, the indexer and playback API, a web player, and
one agent per camera fed from the sample clip (in real time, looped) or from a source.

  --data-dir DIR         where recordings, certificates and keys live (default .camrec)
  --port N               API and player port (default 8080; 0 picks a free one)
  --cameras N            run N cameras cam-1..cam-N on the sample clip (default 1)
  --camera ID            one camera with this id (an IoT thing name) ...
  --source SRC           ... fed from a raw H.264 file, - for stdin, or an rtsp:// URL
  --audio FILE           ADTS AAC file to go with --source FILE
  --loop                 loop --source FILE
  --segment-seconds S    target segment length (default 2)
`;

/** Parses `camrec local` arguments; throws LocalUsageError naming the problem. */
export function parseLocalArgs(argv: string[]): { dataDir: string; port: number; cameras: CameraSpec[]; segmentSeconds: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        cameras: { type: 'string' },
        camera: { type: 'string' },
        source: { type: 'string' },
        audio: { type: 'string' },
        loop: { type: 'boolean' },
        'segment-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new LocalUsageError((err as Error).message);
  }
  const problems: string[] = [];
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) problems.push(`--port ${values.port} must be 0..65535`);
  const segmentSeconds = values['segment-seconds'] === undefined ? 2 : Number(values['segment-seconds']);
  if (!(segmentSeconds >= 1 && segmentSeconds <= 10)) problems.push(`--segment-seconds ${values['segment-seconds']} must be 1..10`);
  let cameras: CameraSpec[] = [];
  if (values.camera !== undefined || values.source !== undefined) {
    if (values.cameras !== undefined) problems.push('give either --cameras N or --camera ID [--source ...], not both');
    const id = values.camera ?? 'cam-1';
    const src = values.source;
    const source: CameraSpec['source'] =
      src === undefined ? { kind: 'sample' }
      : src === '-' ? { kind: 'stdin' }
      : /^rtsps?:\/\//.test(src) ? { kind: 'rtsp', url: src }
      : { kind: 'file', path: src, ...(values.audio ? { audioPath: values.audio } : {}), loop: values.loop ?? false };
    cameras = [{ id, source }];
    if (!DEVICE_ID_PATTERN.test(id)) problems.push(`--camera ${JSON.stringify(id)} must be 1-128 of A-Z a-z 0-9 _ : - (an IoT thing name)`);
  } else {
    const n = values.cameras === undefined ? 1 : Number(values.cameras);
    if (!Number.isInteger(n) || n < 0 || n > 64) problems.push(`--cameras ${values.cameras} must be 0..64`);
    else cameras = Array.from({ length: n }, (_, i) => ({ id: `cam-${i + 1}`, source: { kind: 'sample' } as const }));
  }
  if (values.help) throw new LocalUsageError('');
  if (problems.length) throw new LocalUsageError(problems.join('; '));
  return { dataDir: values['data-dir'] ?? '.camrec', port, cameras, segmentSeconds };
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
      `  data:     ${stack.dataDir} (see local.json)\n` +
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
