import { parseArgs } from 'node:util';
import { DEVICE_ID_PATTERN } from '../../contract/index.ts';
import { DEFAULT_STACK_NAME } from '../../lib/stack-outputs.ts';
import { UsageError } from './provision-errors.ts';

export interface ProvisionOptions {
  /** IoT thing name = device id. */
  readonly thing: string;
  /** Folder to create for device.json and the certificates. */
  readonly out: string;
  readonly stack: string;
  /** @default - the SDK's region chain (AWS_REGION, profile) */
  readonly region?: string;
  /** An RTSP URL to record from (source.type rtsp); otherwise the agent's default source. */
  readonly rtspUrl?: string;
}

export const PROVISION_USAGE = `usage: camrec provision --thing NAME --out DIR [--stack NAME] [--region REGION] [--rtsp URL]

Creates an AWS IoT thing, a key pair and certificate for it, attaches the stack's IoT
policy, and writes DIR/device.json with the certificate, private key (0600), Amazon Root
CA 1 and the content-key public key, ready for 'camrec agent --config DIR/device.json'.

  --thing NAME    IoT thing name = device id (1-128 of A-Z a-z 0-9 _ : -)
  --out DIR       folder to create (must not exist)
  --stack NAME    the deployed camrec stack (default ${DEFAULT_STACK_NAME})
  --region R      AWS region of the stack (default: AWS_REGION / profile)
  --rtsp URL      record this RTSP stream (default: the agent's built-in source)
`;

/** Parses argv; returns null for --help. Lists every problem at once. */
export function parseProvisionArgs(argv: string[]): ProvisionOptions | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        thing: { type: 'string' },
        out: { type: 'string' },
        stack: { type: 'string' },
        region: { type: 'string' },
        rtsp: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (cause) {
    throw new UsageError(`${(cause as Error).message}\n\n${PROVISION_USAGE}`, { cause });
  }
  if (values.help) return null;
  const problems: string[] = [];
  const thing = values.thing as string | undefined;
  const out = values.out as string | undefined;
  const rtspUrl = values.rtsp as string | undefined;
  if (!thing) problems.push('--thing NAME is required');
  else if (!DEVICE_ID_PATTERN.test(thing)) problems.push(`--thing ${JSON.stringify(thing)} must be 1-128 characters of A-Z a-z 0-9 _ : - (an IoT thing name)`);
  if (!out) problems.push('--out DIR is required');
  if (rtspUrl !== undefined && !/^rtsps?:\/\//.test(rtspUrl)) problems.push(`--rtsp ${JSON.stringify(rtspUrl)} must start with rtsp:// or rtsps://`);
  if (problems.length) throw new UsageError(`${problems.join('\n')}\n\n${PROVISION_USAGE}`);
  return {
    thing: thing!,
    out: out!,
    stack: (values.stack as string | undefined) ?? DEFAULT_STACK_NAME,
    region: values.region as string | undefined,
    rtspUrl,
  };
}
