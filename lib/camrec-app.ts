import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CamrecStack, type CamrecStackProps } from './camrec-stack.ts';
import { DEFAULT_STACK_NAME } from './stack-outputs.ts';

export interface CamrecAppOptions {
  readonly appProps?: AppProps;
  readonly stackName?: string;
  readonly stackProps?: CamrecStackProps;
}

/**
 * The app `bin/app.ts` synthesises: one CamrecStack, with cdk-nag's AWS Solutions pack
 * running as a validation plugin on every synth (findings fail the synth).
 */
export function buildCamrecApp(options: CamrecAppOptions = {}): { app: App; stack: CamrecStack } {
  const app = new App(options.appProps);
  const stackName = options.stackName ?? (app.node.tryGetContext('stackName') as string | undefined) ?? DEFAULT_STACK_NAME;
  // `-c webhookUrl=https://...` delivers every notification to that endpoint.
  const webhookUrl = app.node.tryGetContext('webhookUrl') as string | undefined;
  const stackProps: CamrecStackProps | undefined = webhookUrl
    ? { ...options.stackProps, pipeline: { ...options.stackProps?.pipeline, notifications: { ...options.stackProps?.pipeline?.notifications, webhookUrl } } }
    : options.stackProps;
  const stack = new CamrecStack(app, stackName, stackProps);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
