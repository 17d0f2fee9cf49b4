import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DeleteThingCommand,
  DescribeEndpointCommand,
  DescribeThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  IoTClient,
  ResourceNotFoundException,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { X509Certificate, constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { run } from '../../../bin/provision/provision-command.ts';
import { loadDeviceConfig } from '../../../device/config/load-device-config.ts';
import { loadWrappingPublicKey, openWrappedKeyPlaintext, wrapDataKey } from '../../../contract/index.ts';

const STACK = 'Camrec';
const REGION = 'eu-west-1';
const ENDPOINT = 'c1abc2defgh3ij.credentials.iot.eu-west-1.amazonaws.com';
const CERT_ARN = 'arn:aws:iot:eu-west-1:123456789012:cert/abc123';
const CERT_ID = 'abc123';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1111-2222';
const OUTPUTS = {
  ApiUrl: 'https://api.example.com/',
  BucketName: 'camrec-recordings-bucket',
  TableName: 'camrec-index',
  RoleAliasName: 'CamrecRoleAlias',
  IotPolicyName: 'CamrecDevicePolicy',
  ThingTypeName: 'CamrecThingType',
  ContentKeyArn: KEY_ARN,
  SegmentSeconds: '2',
  CredentialProviderEndpointCommand: 'aws iot describe-endpoint --endpoint-type iot:CredentialProvider',
};

const contentKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const deviceKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const DEVICE_KEY_PEM = deviceKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const DEVICE_CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

const iot = mockClient(IoTClient);
const cfn = mockClient(CloudFormationClient);
const kms = mockClient(KMSClient);
let work: string;
let out: string;
let stdout: string;
let stderr: string;

function happyPath(): void {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: STACK,
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  iot.on(DescribeEndpointCommand).resolves({ endpointAddress: ENDPOINT });
  kms.on(GetPublicKeyCommand).resolves({
    KeyId: KEY_ARN,
    KeySpec: 'RSA_2048',
    KeyUsage: 'ENCRYPT_DECRYPT',
    EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    PublicKey: contentKeys.publicKey.export({ type: 'spki', format: 'der' }),
  });
  iot.on(DescribeThingCommand).rejects(new ResourceNotFoundException({ message: 'no such thing', $metadata: {} }));
  iot.on(CreateThingCommand).resolves({ thingName: 'front-door', thingArn: 'arn:aws:iot:eu-west-1:123456789012:thing/front-door' });
  iot.on(CreateKeysAndCertificateCommand).resolves({
    certificateArn: CERT_ARN,
    certificateId: CERT_ID,
    certificatePem: DEVICE_CERT_PEM,
    keyPair: { PrivateKey: DEVICE_KEY_PEM, PublicKey: 'unused' },
  });
  iot.on(AttachPolicyCommand).resolves({});
  iot.on(AttachThingPrincipalCommand).resolves({});
  iot.on(DetachThingPrincipalCommand).resolves({});
  iot.on(DetachPolicyCommand).resolves({});
  iot.on(UpdateCertificateCommand).resolves({});
  iot.on(DeleteCertificateCommand).resolves({});
  iot.on(DeleteThingCommand).resolves({});
}

/** Sinon numbers every spy call globally (callId); its typings leave the field out. */
const callId = (c: object): number => (c as { callId: number }).callId;

/** Every AWS call across the three clients, in the order made: `Client:Command`. */
function callOrder(): string[] {
  const all = [
    ...iot.calls().map((c) => ({ id: callId(c), name: `IoT:${c.args[0].constructor.name}` })),
    ...cfn.calls().map((c) => ({ id: callId(c), name: `CFN:${c.args[0].constructor.name}` })),
    ...kms.calls().map((c) => ({ id: callId(c), name: `KMS:${c.args[0].constructor.name}` })),
  ];
  return all.sort((a, b) => a.id - b.id).map((c) => c.name.replace(/Command$/, ''));
}

function provision(...extra: string[]): Promise<number> {
  return run(['--thing', 'front-door', '--out', out, '--stack', STACK, '--region', REGION, ...extra], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    clients: async (region) => ({ iot: new IoTClient({ region }), cfn: new CloudFormationClient({ region }), kms: new KMSClient({ region }), region: region! }),
  });
}

beforeEach(() => {
  iot.reset();
  cfn.reset();
  kms.reset();
  work = mkdtempSync(join(tmpdir(), 'camrec-provision-'));
  out = join(work, 'cameras', 'front-door');
  stdout = '';
  stderr = '';
});
afterEach(() => rmSync(work, { recursive: true, force: true }));
// (The 'unit' project's files share a worker: the next file gets the real clients back.)
afterAll(() => {
  iot.restore();
  cfn.restore();
  kms.restore();
});

const READS = ['CFN:DescribeStacks', 'IoT:DescribeEndpoint', 'KMS:GetPublicKey', 'IoT:DescribeThing'];
const CREATES = ['IoT:CreateThing', 'IoT:CreateKeysAndCertificate', 'IoT:AttachPolicy', 'IoT:AttachThingPrincipal'];

describe('camrec provision', () => {
  test('reads the stack, then creates thing, certificate, policy and exclusive attachment, in that order', async () => {
    happyPath();
    expect(await provision()).toBe(0);
    expect(callOrder()).toEqual([...READS, ...CREATES]);
    expect(iot.commandCalls(CreateThingCommand)[0]!.args[0].input).toEqual({ thingName: 'front-door', thingTypeName: 'CamrecThingType' });
    expect(iot.commandCalls(CreateKeysAndCertificateCommand)[0]!.args[0].input).toEqual({ setAsActive: true });
    expect(iot.commandCalls(AttachPolicyCommand)[0]!.args[0].input).toEqual({ policyName: 'CamrecDevicePolicy', target: CERT_ARN });
    expect(iot.commandCalls(AttachThingPrincipalCommand)[0]!.args[0].input).toEqual({
      thingName: 'front-door',
      principal: CERT_ARN,
      thingPrincipalType: 'EXCLUSIVE_THING',
    });
    expect(iot.commandCalls(DescribeEndpointCommand)[0]!.args[0].input).toEqual({ endpointType: 'iot:CredentialProvider' });
    expect(stdout).toContain(`camrec agent --config ${out}/device.json`);
  });

  test('writes a device.json the agent accepts, the certificate, a 0600 private key, Amazon Root CA 1 and the content key', async () => {
    happyPath();
    expect(await provision('--rtsp', 'rtsp://10.0.0.5:554/stream1')).toBe(0);
    const config = loadDeviceConfig(join(out, 'device.json'));
    expect(config.deviceId).toBe('front-door');
    expect(config.region).toBe(REGION);
    expect(config.bucket).toBe(OUTPUTS.BucketName);
    expect(config.segmentSeconds).toBe(2);
    expect(config.credentials.endpoint).toBe(ENDPOINT);
    expect(config.credentials.roleAlias).toBe(OUTPUTS.RoleAliasName);
    expect(config.source).toMatchObject({ type: 'rtsp', url: 'rtsp://10.0.0.5:554/stream1' });
    expect(readFileSync(config.credentials.certificateFile, 'utf8')).toBe(DEVICE_CERT_PEM);
    expect(readFileSync(config.credentials.privateKeyFile, 'utf8')).toBe(DEVICE_KEY_PEM);
    expect(statSync(config.credentials.privateKeyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(config.credentials.caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(new X509Certificate(readFileSync(config.credentials.caFile)).subject).toContain('CN=Amazon Root CA 1');
    // The content key written is the KMS key's public half: what it wraps, the private half unwraps.
    const ref = { deviceId: 'front-door', keyId: '0'.repeat(32) };
    const wrapped = wrapDataKey(loadWrappingPublicKey(readFileSync(config.contentKeyPublicKeyFile!, 'utf8')), randomBytes(16).fill(7), ref);
    const plain = privateDecrypt({ key: contentKeys.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped);
    expect(openWrappedKeyPlaintext(plain, ref).dataKey).toEqual(Buffer.alloc(16, 7));
  });

  test('refuses an existing --out folder before any AWS call, and leaves it alone', async () => {
    happyPath();
    mkdirSync(out, { recursive: true });
    expect(await provision()).not.toBe(0);
    expect(stderr).toMatch(/already exists.*never overwrites/);
    expect(callOrder()).toEqual([]);
    expect(existsSync(out)).toBe(true);
  });

  test('a failure half-way undoes every step in reverse and removes the folder', async () => {
    happyPath();
    iot.on(AttachThingPrincipalCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    expect(await provision()).toBe(1);
    expect(callOrder()).toEqual([...READS, ...CREATES, 'IoT:DetachPolicy', 'IoT:UpdateCertificate', 'IoT:DeleteCertificate', 'IoT:DeleteThing']);
    expect(iot.commandCalls(UpdateCertificateCommand)[0]!.args[0].input).toEqual({ certificateId: CERT_ID, newStatus: 'INACTIVE' });
    expect(existsSync(out)).toBe(false);
    expect(stderr).toMatch(/AttachThingPrincipal failed \(ThrottlingException: throttled\)\. Everything created so far was removed again/);
  });

  test('a clean-up that fails too names what is left and the command to remove it', async () => {
    happyPath();
    iot.on(AttachPolicyCommand).rejects(new Error('no such policy'));
    iot.on(DeleteThingCommand).rejects(new Error('access denied'));
    expect(await provision()).toBe(1);
    expect(callOrder().slice(READS.length)).toEqual([
      'IoT:CreateThing',
      'IoT:CreateKeysAndCertificate',
      'IoT:AttachPolicy',
      'IoT:UpdateCertificate',
      'IoT:DeleteCertificate',
      'IoT:DeleteThing',
    ]);
    expect(stderr).toContain('remove these by hand');
    expect(stderr).toContain('aws iot delete-thing --thing-name front-door');
    expect(stderr).not.toContain('delete-certificate');
    expect(existsSync(out)).toBe(false);
  });

  test('refuses a thing that already exists, creating nothing', async () => {
    happyPath();
    iot.on(DescribeThingCommand).resolves({ thingName: 'front-door' });
    expect(await provision()).toBe(1);
    expect(stderr).toContain("IoT thing 'front-door' already exists");
    expect(callOrder()).toEqual(READS);
    expect(existsSync(out)).toBe(false);
  });

  test('a stack without camrec outputs fails before anything is created, naming the missing outputs', async () => {
    happyPath();
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: STACK, StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'BucketName', OutputValue: 'b' }] }],
    });
    expect(await provision()).toBe(1);
    expect(stderr).toMatch(/has no output\(s\) RoleAliasName, IotPolicyName, ThingTypeName, ContentKeyArn, SegmentSeconds, ApiUrl/);
    expect(callOrder()).toEqual(['CFN:DescribeStacks']);
    expect(existsSync(out)).toBe(false);
  });

  test('bad arguments exit 2 with every problem and the usage', async () => {
    const code = await run(['--thing', 'bad/name', '--rtsp', 'http://x'], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      clients: async () => {
        throw new Error('must not be called');
      },
    });
    expect(code).toBe(2);
    expect(stderr).toContain('--thing "bad/name" must be 1-128 characters');
    expect(stderr).toContain('--out DIR is required');
    expect(stderr).toContain('--rtsp "http://x" must start with rtsp://');
    expect(stderr).toContain('usage: camrec provision');
  });
});
