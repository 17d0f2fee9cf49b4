import { Lazy, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KMS_WRAPPING_ALGORITHM } from '../../contract/index.ts';

/**
 * Everything that can use the private half. kms:Decrypt is the obvious one; ReEncrypt
 * (permission kms:ReEncryptFrom) also decrypts ciphertext made outside KMS with the public
 * half, exactly as cameras wrap data keys (KMS API Reference, ReEncrypt), and moves it
 * under a key the caller controls; a grant (kms:CreateGrant) would hand either on.
 */
export const UNWRAPPING_ACTIONS = ['kms:Decrypt', 'kms:ReEncrypt*', 'kms:CreateGrant'] as const;

/** Matches no principal: until a role is granted, nobody may Decrypt. */
const NO_ROLE_ARN = 'arn:aws:iam::000000000000:role/camrec-no-unwrap-role-granted';

export interface ContentKeyProps {
  /**
   * What happens to the key when the stack is deleted. Deleting it makes every recording
   * unplayable, so DESTROY only schedules deletion (7 days).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The deployment's content-key pair: an RSA-2048 KMS key for ENCRYPT_DECRYPT. Devices
 * get the public half (GetPublicKey, at provisioning) and wrap each data key with
 * RSA-OAEP-SHA256; the private half never leaves KMS. The key policy refuses every
 * operation that uses the private half (UNWRAPPING_ACTIONS) to every principal except the
 * roles given `grantUnwrap`.
 */
export class ContentKey extends Construct {
  public readonly key: kms.Key;
  private readonly unwrapRoleArns: string[] = [];

  constructor(scope: Construct, id: string, props: ContentKeyProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'camrec content-key wrapping pair (RSA-OAEP-SHA256); only the playback key route may Decrypt',
      keySpec: kms.KeySpec.RSA_2048,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'UnwrapOnlyByTheKeyRoute',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...UNWRAPPING_ACTIONS],
        resources: ['*'],
        conditions: {
          ArnNotEquals: {
            'aws:PrincipalArn': Lazy.list({ produce: () => (this.unwrapRoleArns.length ? this.unwrapRoleArns : [NO_ROLE_ARN]) }),
          },
        },
      }),
    );
  }

  /**
   * Lets `role` unwrap data keys: kms:Decrypt with RSAES_OAEP_SHA_256 only, and adds it to
   * the key policy's short list of principals not refused Decrypt.
   */
  public grantUnwrap(role: iam.IRole): iam.Grant {
    this.unwrapRoleArns.push(role.roleArn);
    return iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['kms:Decrypt'],
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionAlgorithm': KMS_WRAPPING_ALGORITHM } },
    });
  }

  /** kms:GetPublicKey (provisioning tools, CI). */
  public grantPublicKeyRead(grantee: iam.IGrantable): iam.Grant {
    return this.key.grant(grantee, 'kms:GetPublicKey', 'kms:DescribeKey');
  }
}
