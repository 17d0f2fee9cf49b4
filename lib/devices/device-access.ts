import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TopFolder } from '../../contract/index.ts';
import { acknowledgeObjectWildcards } from '../nag/acknowledge.ts';
import { PipelineDefault, PipelineLimit, PropsChecker, roleMaxSessionSeconds } from '../settings.ts';

export interface DeviceAccessProps {
  /** The recordings bucket devices write to. */
  readonly bucket: s3.IBucket;
  /**
   * Lifetime of the credentials the IoT credential provider hands a camera.
   * @default 3600
   */
  readonly credentialDurationSeconds?: number;
}

/**
 * The IAM policy variable the IoT credential provider fills with the thing name the
 * camera sends in `x-amzn-iot-thingname` (and only when its certificate is attached to
 * that thing).
 */
export const THING_NAME_VARIABLE = '${credentials-iot:ThingName}';

/** The only object patterns a device may PUT: its own prefix in each top folder. */
export function devicePutPatterns(): string[] {
  return [TopFolder.SEGMENTS, TopFolder.KEYS, TopFolder.EVENTS].map((f) => `${f}/${THING_NAME_VARIABLE}/*`);
}

/**
 * How cameras get AWS credentials: an IAM role trusted only by the IoT credential
 * provider, allowed nothing but PutObject under the calling thing's own prefixes; an IoT
 * role alias for it; an IoT policy that lets a certificate assume the alias only as a
 * thing of our type it is attached to; and that thing type.
 */
export class DeviceAccess extends Construct {
  public readonly role: iam.Role;
  public readonly roleAlias: iot.CfnRoleAlias;
  public readonly iotPolicy: iot.CfnPolicy;
  public readonly thingType: iot.CfnThingType;

  constructor(scope: Construct, id: string, props: DeviceAccessProps) {
    super(scope, id);
    const credentialDurationSeconds = props.credentialDurationSeconds ?? PipelineDefault.CREDENTIAL_DURATION_SECONDS;
    new PropsChecker('DeviceAccess')
      .wholeInRange(
        'credentialDurationSeconds',
        credentialDurationSeconds,
        PipelineLimit.CREDENTIAL_DURATION_MIN_SECONDS,
        PipelineLimit.CREDENTIAL_DURATION_MAX_SECONDS,
        'the IoT role alias range',
      )
      .throwIfAny();

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com'),
      description: 'camrec cameras: PutObject under their own thing-name prefixes only',
      maxSessionDuration: Duration.seconds(roleMaxSessionSeconds(credentialDurationSeconds)),
      inlinePolicies: {
        'put-own-prefixes': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'PutOwnRecordings',
              actions: ['s3:PutObject'],
              resources: devicePutPatterns().map((p) => props.bucket.arnForObjects(p)),
            }),
          ],
        }),
      },
    });
    acknowledgeObjectWildcards(
      this.role,
      props.bucket,
      devicePutPatterns(),
      'The wildcard is below the calling thing\'s own prefix (${credentials-iot:ThingName} is filled by the IoT credential provider): a camera can only add new objects under its own folders.',
    );
    this.role.node.addValidation({
      validate: () => (this.role.node.tryFindChild('DefaultPolicy') ? ['DeviceAccess role must not get more statements: it is the whole device permission set'] : []),
    });

    this.thingType = new iot.CfnThingType(this, 'ThingType', {
      thingTypeProperties: { thingTypeDescription: 'A camrec camera (records encrypted HLS to S3)' },
    });

    this.roleAlias = new iot.CfnRoleAlias(this, 'RoleAlias', {
      roleArn: this.role.roleArn,
      credentialDurationSeconds,
    });

    this.iotPolicy = new iot.CfnPolicy(this, 'Policy', {
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AssumeRoleAliasAsAttachedThing',
            Effect: 'Allow',
            Action: 'iot:AssumeRoleWithCertificate',
            Resource: this.roleAlias.attrRoleAliasArn,
            Condition: {
              Bool: { 'iot:Connection.Thing.IsAttached': 'true' },
              StringEquals: { 'iot:Connection.Thing.ThingTypeName': this.thingType.ref },
            },
          },
        ],
      },
    });
  }

  /** The role alias name (what device.json calls credentials.roleAlias). */
  public get roleAliasName(): string {
    return this.roleAlias.ref;
  }

  public get thingTypeName(): string {
    return this.thingType.ref;
  }

  public get iotPolicyName(): string {
    return this.iotPolicy.ref;
  }

}
