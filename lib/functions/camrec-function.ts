import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../handler-entries.ts';

export interface CamrecFunctionProps {
  /** The handler entry file (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY (logs go with the stack) */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** Lambda runtime: Node 24 (the newest the CDK knows; cdk-nag AwsSolutions-L1 wants the newest). */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * One camrec Lambda: Node 24 on arm64, bundled by the local esbuild (never Docker) as
 * ESM, with its own log group and its own role that may write only to that log group
 * (no AWS managed policy). Grants go through `fn.role`.
 */
export class CamrecFunction extends Construct {
  public readonly fn: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CamrecFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        // Bundle the AWS SDK too: the deployed code is exactly the tested versions, not
        // whatever SDK the runtime ships that month.
        externalModules: [],
        minify: true,
        sourceMap: true,
        // Some dependencies are CommonJS and call require(); give ESM output one.
        banner: "import { createRequire as __camrecCreateRequire } from 'node:module'; const require = __camrecCreateRequire(import.meta.url);",
      },
    });
  }
}
