import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { StackOutput } from '../../lib/stack-outputs.ts';
import { StackOutputsError } from './provision-errors.ts';

/** What provisioning needs from the deployed stack. */
export interface DeploymentOutputs {
  readonly bucketName: string;
  readonly roleAliasName: string;
  readonly iotPolicyName: string;
  readonly thingTypeName: string;
  readonly contentKeyArn: string;
  readonly segmentSeconds: number;
  readonly apiUrl: string;
}

const STACK_READY = /^(CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE|IMPORT_COMPLETE)$/;

/** DescribeStacks, then every output provisioning needs; names every missing one. */
export async function readDeploymentOutputs(cfn: CloudFormationClient, stackName: string): Promise<DeploymentOutputs> {
  let stack;
  try {
    stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (cause) {
    throw new StackOutputsError(
      `cannot read stack '${stackName}' (${(cause as Error).message}). Deploy it first (npx cdk deploy), or pass --stack NAME and --region REGION.`,
      { cause },
    );
  }
  if (!stack) throw new StackOutputsError(`stack '${stackName}' was not found. Deploy it first (npx cdk deploy), or pass --stack NAME.`);
  if (!STACK_READY.test(stack.StackStatus ?? '')) {
    throw new StackOutputsError(`stack '${stackName}' is ${stack.StackStatus}; wait for the deployment to finish and try again.`);
  }
  const outputs = new Map((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const missing: string[] = [];
  const get = (key: string): string => {
    const v = outputs.get(key);
    if (!v) missing.push(key);
    return v ?? '';
  };
  const result: DeploymentOutputs = {
    bucketName: get(StackOutput.BUCKET_NAME),
    roleAliasName: get(StackOutput.ROLE_ALIAS_NAME),
    iotPolicyName: get(StackOutput.IOT_POLICY_NAME),
    thingTypeName: get(StackOutput.THING_TYPE_NAME),
    contentKeyArn: get(StackOutput.CONTENT_KEY_ARN),
    segmentSeconds: Number(get(StackOutput.SEGMENT_SECONDS)),
    apiUrl: get(StackOutput.API_URL),
  };
  if (missing.length) {
    throw new StackOutputsError(
      `stack '${stackName}' has no output(s) ${missing.join(', ')}: is it a camrec stack? Redeploy it with this version (npx cdk deploy).`,
    );
  }
  return result;
}
