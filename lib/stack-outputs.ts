/**
 * CloudFormation output keys of the camrec stack. `camrec provision` reads them with
 * DescribeStacks, so they are a contract: renaming one breaks provisioning. This file
 * holds names only (no aws-cdk-lib import), so the CLI can load it cheaply.
 */
export const StackOutput = {
  API_URL: 'ApiUrl',
  BUCKET_NAME: 'BucketName',
  TABLE_NAME: 'TableName',
  ROLE_ALIAS_NAME: 'RoleAliasName',
  IOT_POLICY_NAME: 'IotPolicyName',
  THING_TYPE_NAME: 'ThingTypeName',
  CONTENT_KEY_ARN: 'ContentKeyArn',
  SEGMENT_SECONDS: 'SegmentSeconds',
  CREDENTIAL_ENDPOINT_COMMAND: 'CredentialProviderEndpointCommand',
  EVENT_BUS_NAME: 'EventBusName',
  EVENT_BUS_ARN: 'EventBusArn',
} as const;

export type StackOutputKey = (typeof StackOutput)[keyof typeof StackOutput];

/** The stack name `bin/app.ts` deploys unless `-c stackName=...` says otherwise. */
export const DEFAULT_STACK_NAME = 'Camrec';

/** How to find the account's IoT credential provider endpoint (one per account and region). */
export const CREDENTIAL_ENDPOINT_COMMAND = 'aws iot describe-endpoint --endpoint-type iot:CredentialProvider';
