import { parseArgs } from 'node:util';
import { SoakArgsError } from './soak-errors.ts';

export interface SoakOptions {
  /** Length of the recording phase (faults included), minutes. @default 10 */
  readonly minutes: number;
  /** Cameras on the local stack, each a `camrec agent` child. @default 8 */
  readonly cameras: number;
  /** Segment length given to the agents. @default 2 */
  readonly segmentSeconds: number;
  /** ffprobe every segment instead of a sample. @default false */
  readonly probeAll: boolean;
  /** Keep the data dir (logs, spools, bucket) after the run. @default false */
  readonly keep: boolean;
  /** Where soak-requests.json goes; undefined = do not write it. */
  readonly requestsOut: string | undefined;
}

export const SOAK_DEFAULTS = { minutes: 10, cameras: 8, segmentSeconds: 2 } as const;

const USAGE = 'usage: npm run soak [-- --minutes M (default 10) --cameras N (default 8) --probe-all --keep --no-requests-out]';

export function parseSoakArgs(argv: string[], defaultRequestsOut: string): SoakOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        minutes: { type: 'string' },
        cameras: { type: 'string' },
        'segment-seconds': { type: 'string' },
        'probe-all': { type: 'boolean' },
        keep: { type: 'boolean' },
        'no-requests-out': { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new SoakArgsError(`${(e as Error).message}. ${USAGE}`);
  }
  const problems: string[] = [];
  const num = (name: string, dflt: number, min: number, max: number): number => {
    const raw = values[name];
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) problems.push(`--${name} ${String(raw)}: must be a number from ${min} to ${max}`);
    return n;
  };
  const opts: SoakOptions = {
    minutes: num('minutes', SOAK_DEFAULTS.minutes, 0.5, 24 * 60),
    cameras: Math.round(num('cameras', SOAK_DEFAULTS.cameras, 1, 64)),
    segmentSeconds: num('segment-seconds', SOAK_DEFAULTS.segmentSeconds, 1, 10),
    probeAll: values['probe-all'] === true,
    keep: values.keep === true,
    requestsOut: values['no-requests-out'] === true ? undefined : defaultRequestsOut,
  };
  if (problems.length) throw new SoakArgsError(`${problems.join('; ')}. ${USAGE}`);
  return opts;
}
