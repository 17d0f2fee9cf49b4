import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/**
 * Precise cdk-nag acknowledgements. cdk-nag 3 matches a finding id exactly, and an
 * IAM5 finding names the resource as cdk-nag prints it (`<LogicalId.Arn>/prefix/*`,
 * `${var}` shown as `<var>`), so these helpers build that text from the construct tree
 * instead of hard-coding logical ids that change with the construct path.
 */

/** cdk-nag's rendering of an object ARN pattern in the bucket, e.g. `<RecordingsE02D.Arn>/segments/*`. */
export function nagObjectResource(bucket: s3.IBucket, pattern: string): string | undefined {
  const cfn = bucket.node.defaultChild;
  if (!(cfn instanceof CfnElement)) return undefined; // imported bucket: the owner acknowledges
  const logicalId = Stack.of(cfn).resolve(Stack.of(cfn).getLogicalId(cfn)) as string;
  return `<${logicalId}.Arn>/${pattern.replace(/\$\{([^}]+)\}/g, '<$1>')}`;
}

/**
 * Acknowledges AwsSolutions-IAM5 for exactly these object patterns of `bucket` on `scope`
 * (a role, or anything above its policy).
 */
export function acknowledgeObjectWildcards(scope: IConstruct, bucket: s3.IBucket, patterns: readonly string[], reason: string): void {
  for (const pattern of patterns) {
    const resource = nagObjectResource(bucket, pattern);
    if (resource) Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  }
}

/** The finding id of an AWS managed policy attached to a role (AwsSolutions-IAM4). */
export const managedPolicyFinding = (name: string): string => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
