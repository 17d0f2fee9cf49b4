import { parseArgs } from 'node:util';
import { EVENT_TYPE_PATTERN } from '../../contract/index.ts';
import { LocalUsageError } from '../local-error.ts';
import { triggerCameraEvent } from '../stack/trigger-event.ts';
import { readLocalInfo } from './local-info.ts';

const USAGE = `usage: camrec event --camera ID --type TYPE [--seconds N] [--data-dir DIR | --control URL]

Starts an event recording (motion, person, doorbell, ...) on a running agent through its
control endpoint: the camera of a running 'camrec local' (DIR/local.json, default
.camrec), or any agent's control URL (e.g. http://127.0.0.1:8554).
`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        camera: { type: 'string' },
        type: { type: 'string' },
        seconds: { type: 'string' },
        'data-dir': { type: 'string' },
        control: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`camrec event: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const problems: string[] = [];
  if (!values.camera && !values.control) problems.push('--camera ID is required');
  if (!values.type || !EVENT_TYPE_PATTERN.test(values.type)) problems.push('--type must be 1-32 of a-z 0-9 _ - (e.g. motion)');
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && !(seconds > 0)) problems.push(`--seconds ${values.seconds} must be a positive number`);
  if (problems.length) {
    process.stderr.write(`camrec event: ${problems.join('; ')}\n\n${USAGE}`);
    return 2;
  }
  try {
    let controlUrl = values.control;
    const camera = values.camera ?? 'agent';
    if (!controlUrl) {
      const info = await readLocalInfo(values['data-dir'] ?? '.camrec');
      const cam = info.cameras.find((c) => c.id === camera);
      if (!cam) throw new LocalUsageError(`no camera ${camera} in this local stack; cameras: ${info.cameras.map((c) => c.id).join(', ') || 'none'}`);
      controlUrl = cam.controlUrl;
    }
    const answer = await triggerCameraEvent(controlUrl, camera, { type: values.type, seconds });
    const body = answer.body as { eventId?: string; error?: { message?: string } };
    if (answer.status >= 300) {
      process.stderr.write(`camrec event: ${body.error?.message ?? `the agent answered ${answer.status}`}\n`);
      return 1;
    }
    process.stdout.write(`${body.eventId}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`camrec event: ${(err as Error).message}\n`);
    return err instanceof LocalUsageError ? 2 : 1;
  }
}
