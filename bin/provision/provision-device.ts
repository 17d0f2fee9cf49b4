import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CertificateStatus,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteThingCommand,
  DescribeEndpointCommand,
  DescribeThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  ThingPrincipalType,
  UpdateCertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { GetPublicKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { KMS_WRAPPING_ALGORITHM, loadWrappingPublicKey } from '../../contract/index.ts';
import { claimOutputDir, removeOutputDir, spkiDerToPem, writeDeviceFiles } from './device-files.ts';
import type { ProvisionOptions } from './provision-args.ts';
import { OutputExistsError, ProvisionError, ProvisionStepError, ThingExistsError } from './provision-errors.ts';
import { readDeploymentOutputs } from './stack-outputs-reader.ts';

export interface ProvisionDeps {
  readonly iot: IoTClient;
  readonly cfn: CloudFormationClient;
  readonly kms: KMSClient;
  /** The region the clients talk to (written into device.json). */
  readonly region: string;
  /** One line of progress for the user. */
  readonly log: (line: string) => void;
}

export interface ProvisionResult {
  readonly dir: string;
  readonly files: readonly string[];
  readonly thingName: string;
  readonly certificateId: string;
  readonly certificateArn: string;
  readonly credentialEndpoint: string;
}

/** One undo action for one thing created, with the command that does it by hand. */
interface Undo {
  readonly what: string;
  readonly manual: string;
  readonly run: () => Promise<unknown>;
}

/**
 * Provisions one camera: reads the stack's outputs, finds the credential-provider
 * endpoint, fetches the content public key, claims the output folder, then creates the
 * thing, the key pair and certificate, attaches the IoT policy to the certificate and
 * the certificate to the thing (exclusively), and writes the files. Reads come first,
 * so most mistakes fail before anything exists. If a later step fails, everything
 * created is undone in reverse order; what cannot be undone is listed in the error.
 */
export async function provisionDevice(opts: ProvisionOptions, deps: ProvisionDeps): Promise<ProvisionResult> {
  const { iot, log } = deps;
  if (existsSync(opts.out)) throw new OutputExistsError(resolve(opts.out)); // before any AWS call; claimed atomically below
  const outputs = await readDeploymentOutputs(deps.cfn, opts.stack);
  const endpoint = (await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:CredentialProvider' }))).endpointAddress;
  if (!endpoint) throw new ProvisionError('DescribeEndpoint returned no iot:CredentialProvider endpoint; check the region and your IoT permissions.');
  const contentKeyPublicKeyPem = await fetchContentPublicKey(deps.kms, outputs.contentKeyArn);
  await assertThingAbsent(iot, opts.thing);

  const dir = await claimOutputDir(opts.out);
  log(`created folder ${dir}`);
  const undo: Undo[] = [{ what: `folder ${dir}`, manual: `rm -r ${dir}`, run: () => removeOutputDir(dir) }];
  let step = 'CreateThing';
  try {
    await iot.send(new CreateThingCommand({ thingName: opts.thing, thingTypeName: outputs.thingTypeName }));
    log(`created IoT thing ${opts.thing} (type ${outputs.thingTypeName})`);
    undo.push({
      what: `thing ${opts.thing}`,
      manual: `aws iot delete-thing --thing-name ${opts.thing}`,
      run: () => iot.send(new DeleteThingCommand({ thingName: opts.thing })),
    });

    step = 'CreateKeysAndCertificate';
    const cert = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const { certificateArn, certificateId, certificatePem } = cert;
    const privateKeyPem = cert.keyPair?.PrivateKey;
    if (!certificateArn || !certificateId || !certificatePem || !privateKeyPem) {
      throw new ProvisionError('CreateKeysAndCertificate answered without a certificate ARN, id, PEM or private key');
    }
    log(`created certificate ${certificateId}`);
    undo.push({
      what: `certificate ${certificateId}`,
      manual: `aws iot update-certificate --certificate-id ${certificateId} --new-status INACTIVE && aws iot delete-certificate --certificate-id ${certificateId}`,
      run: async () => {
        await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: CertificateStatus.INACTIVE }));
        await iot.send(new DeleteCertificateCommand({ certificateId }));
      },
    });

    step = 'AttachPolicy';
    await iot.send(new AttachPolicyCommand({ policyName: outputs.iotPolicyName, target: certificateArn }));
    log(`attached IoT policy ${outputs.iotPolicyName} to the certificate`);
    undo.push({
      what: `policy ${outputs.iotPolicyName} on certificate ${certificateId}`,
      manual: `aws iot detach-policy --policy-name ${outputs.iotPolicyName} --target ${certificateArn}`,
      run: () => iot.send(new DetachPolicyCommand({ policyName: outputs.iotPolicyName, target: certificateArn })),
    });

    step = 'AttachThingPrincipal';
    await iot.send(
      new AttachThingPrincipalCommand({ thingName: opts.thing, principal: certificateArn, thingPrincipalType: ThingPrincipalType.EXCLUSIVE_THING }),
    );
    log(`attached the certificate to ${opts.thing} (exclusive)`);
    undo.push({
      what: `certificate attachment to ${opts.thing}`,
      manual: `aws iot detach-thing-principal --thing-name ${opts.thing} --principal ${certificateArn}`,
      run: () => iot.send(new DetachThingPrincipalCommand({ thingName: opts.thing, principal: certificateArn })),
    });

    step = 'writing the device files';
    const files = await writeDeviceFiles(dir, {
      deviceId: opts.thing,
      region: deps.region,
      bucket: outputs.bucketName,
      credentialEndpoint: endpoint,
      roleAlias: outputs.roleAliasName,
      certificatePem,
      privateKeyPem,
      contentKeyPublicKeyPem,
      segmentSeconds: outputs.segmentSeconds,
      rtspUrl: opts.rtspUrl,
    });
    for (const f of files) log(`wrote ${f}`);
    return { dir, files, thingName: opts.thing, certificateId, certificateArn, credentialEndpoint: endpoint };
  } catch (cause) {
    log(`${step} failed; removing what was created`);
    const leftBehind: string[] = [];
    for (const u of undo.reverse()) {
      try {
        await u.run();
        log(`removed ${u.what}`);
      } catch (e) {
        log(`could not remove ${u.what}: ${(e as Error).message}`);
        leftBehind.push(u.manual);
      }
    }
    throw new ProvisionStepError(step, leftBehind, { cause });
  }
}

async function assertThingAbsent(iot: IoTClient, thingName: string): Promise<void> {
  try {
    await iot.send(new DescribeThingCommand({ thingName }));
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return;
    throw new ProvisionError(`cannot check whether thing '${thingName}' exists: ${(e as Error).message}`, { cause: e });
  }
  throw new ThingExistsError(thingName);
}

/** KMS GetPublicKey, checked to be an RSA key that can wrap with RSAES_OAEP_SHA_256; as PEM. */
async function fetchContentPublicKey(kms: KMSClient, keyArn: string): Promise<string> {
  const res = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }));
  if (!res.PublicKey) throw new ProvisionError(`KMS GetPublicKey for ${keyArn} returned no key`);
  if (res.KeyUsage !== 'ENCRYPT_DECRYPT' || !(res.EncryptionAlgorithms ?? []).includes(KMS_WRAPPING_ALGORITHM)) {
    throw new ProvisionError(
      `KMS key ${keyArn} is ${res.KeySpec}/${res.KeyUsage} without ${KMS_WRAPPING_ALGORITHM}; the stack's ContentKeyArn must be an RSA ENCRYPT_DECRYPT key`,
    );
  }
  const pem = spkiDerToPem(res.PublicKey);
  loadWrappingPublicKey(pem); // throws a ContractError if it is not an RSA SPKI key
  return pem;
}
