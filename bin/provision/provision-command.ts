import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IoTClient } from '@aws-sdk/client-iot';
import { KMSClient } from '@aws-sdk/client-kms';
import { DeviceFile } from './device-files.ts';
import { PROVISION_USAGE, parseProvisionArgs } from './provision-args.ts';
import { ProvisionError } from './provision-errors.ts';
import { provisionDevice, type ProvisionDeps } from './provision-device.ts';

export interface ProvisionIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Builds the AWS clients for a region (tests pass mocked ones). */
  readonly clients: (region: string | undefined) => Promise<Omit<ProvisionDeps, 'log'>>;
}

async function defaultClients(region: string | undefined): Promise<Omit<ProvisionDeps, 'log'>> {
  const iot = new IoTClient(region ? { region } : {});
  const resolved = await iot.config.region();
  return {
    iot,
    cfn: new CloudFormationClient({ region: resolved }),
    kms: new KMSClient({ region: resolved }),
    region: resolved,
  };
}

const DEFAULT_IO: ProvisionIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  clients: defaultClients,
};

/** `camrec provision --thing NAME --out DIR [--stack NAME] [--region R] [--rtsp URL]` */
export async function run(argv: string[], io: ProvisionIo = DEFAULT_IO): Promise<number> {
  try {
    const opts = parseProvisionArgs(argv);
    if (!opts) {
      io.stdout(PROVISION_USAGE);
      return 0;
    }
    let clients;
    try {
      clients = await io.clients(opts.region);
    } catch (cause) {
      throw new ProvisionError(`no AWS region: pass --region or set AWS_REGION (${(cause as Error).message})`, { cause });
    }
    const result = await provisionDevice(opts, { ...clients, log: (line) => io.stderr(`camrec provision: ${line}\n`) });
    io.stdout(
      `Provisioned ${result.thingName} (certificate ${result.certificateId}).\n` +
        `Start recording with:\n  camrec agent --config ${result.dir}/${DeviceFile.CONFIG}\n` +
        `The private key is ${result.dir}/${DeviceFile.PRIVATE_KEY} (mode 0600); keep it on the camera only.\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ProvisionError) {
      io.stderr(`camrec provision: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr(`camrec provision: ${(e as Error).name}: ${(e as Error).message}\n`);
    return 1;
  }
}
