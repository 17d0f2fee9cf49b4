import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DEVICE_FOLDERS } from '../../contract/index.ts';
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

/**
 * The IAM condition key the IoT credential provider fills with the type of that thing
 * (only when the camera sent `x-amzn-iot-thingname`). It lives in the role's policy, not
 * in the IoT policy: the `iot:Connection.Thing.*` variables are documented for MQTT and
 * MQTT-over-WebSocket connections, and the credential provider is an HTTPS call.
 */
export const THING_TYPE_CONDITION_KEY = 'credentials-iot:ThingTypeName';

/** The only object patterns a device may PUT: its own prefix in each top folder. */
export function devicePutPatterns(): string[] {
  return DEVICE_FOLDERS.map((f) => `${f}/${THING_NAME_VARIABLE}/*`);
}

/**
 * How cameras get AWS credentials: an IAM role trusted only by this account's IoT
 * credential provider, allowed nothing but PutObject under the calling thing's own
 * prefixes and only for things of our type; an IoT role alias for it; an IoT policy that
 * lets a certificate assume that alias; and the thing type.
 *
 * Every rule uses only what AWS documents for the credential provider ("Authorizing
 * direct calls to AWS services using AWS IoT Core credential provider", IoT Developer
 * Guide, https://docs.aws.amazon.com/iot/latest/developerguide/authorizing-direct-aws.html):
 * - the IoT policy grants `iot:AssumeRoleWithCertificate` on the role alias ARN;
 * - the agent sends `x-amzn-iot-thingname`; the provider answers 403 unless that thing is
 *   attached to the certificate ("must match the name of the AWS IoT Thing resource
 *   assigned to a cert. If it doesn't match, a 403 error is returned");
 * - only then does it put `credentials-iot:ThingName` and `credentials-iot:ThingTypeName`
 *   into the session, which the role's policy uses ("These three variables work for IAM
 *   policies only, not AWS IoT Core policies").
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

    this.thingType = new iot.CfnThingType(this, 'ThingType', {
      thingTypeProperties: { thingTypeDescription: 'A camrec camera (records encrypted HLS to S3)' },
    });

    this.role = new iam.Role(this, 'Role', {
      // Confused-deputy guard ("Cross-service confused deputy prevention", IoT Developer
      // Guide, https://docs.aws.amazon.com/iot/latest/developerguide/cross-service-confused-deputy-prevention.html):
      // aws:SourceAccount is this account and aws:SourceArn "must comply with the format
      // arn:aws:iot:region:account-id:*". The role alias ARN is not named exactly: the alias
      // points at this role, so naming it here would be a dependency cycle.
      assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:iot:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` },
        },
      }),
      description: 'camrec cameras: PutObject under their own thing-name prefixes only',
      maxSessionDuration: Duration.seconds(roleMaxSessionSeconds(credentialDurationSeconds)),
      inlinePolicies: {
        'put-own-prefixes': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'PutOwnRecordings',
              actions: ['s3:PutObject'],
              resources: devicePutPatterns().map((p) => props.bucket.arnForObjects(p)),
              // Set by the credential provider from the thing named in x-amzn-iot-thingname
              // (see the class comment); a thing of another type, or no thing, gets nothing.
              conditions: { StringEquals: { [THING_TYPE_CONDITION_KEY]: this.thingType.ref } },
            }),
          ],
        }),
      },
    });
    acknowledgeObjectWildcards(
      this.role,
      props.bucket,
      devicePutPatterns(),
      "The wildcard is below the calling thing's own prefix (${credentials-iot:ThingName} is filled by the IoT credential provider): a camera can only add new objects under its own folders.",
    );
    this.role.node.addValidation({
      validate: () =>
        this.role.node.tryFindChild('DefaultPolicy') ? ['DeviceAccess role must not get more statements: it is the whole device permission set'] : [],
    });

    this.roleAlias = new iot.CfnRoleAlias(this, 'RoleAlias', {
      roleArn: this.role.roleArn,
      credentialDurationSeconds,
    });

    this.iotPolicy = new iot.CfnPolicy(this, 'Policy', {
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          // Exactly the documented statement: no iot:Connection.Thing.* conditions, which
          // are documented for MQTT connections and would refuse every camera here.
          {
            Sid: 'AssumeDeviceRoleAlias',
            Effect: 'Allow',
            Action: 'iot:AssumeRoleWithCertificate',
            Resource: this.roleAlias.attrRoleAliasArn,
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
