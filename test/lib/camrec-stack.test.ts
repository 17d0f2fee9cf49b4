import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, test } from 'vitest';
import { buildCamrecApp } from '../../lib/camrec-app.ts';
import { CamrecStack } from '../../lib/camrec-stack.ts';
import { RecordingPipeline } from '../../lib/recording-pipeline.ts';
import { StackOutput } from '../../lib/stack-outputs.ts';
import { cdkJsonContext, testApp } from './support/cdk-test-app.ts';

describe('CamrecStack', () => {
  const app = testApp();
  const stack = new CamrecStack(app, 'Camrec');
  const template = Template.fromStack(stack);

  test('outputs everything provisioning and users need', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(Object.values(StackOutput).sort());
    template.hasOutput(StackOutput.CREDENTIAL_ENDPOINT_COMMAND, { Value: 'aws iot describe-endpoint --endpoint-type iot:CredentialProvider' });
    template.hasOutput(StackOutput.SEGMENT_SECONDS, { Value: '6' });
  });

  test('has one of each part', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.resourceCountIs('AWS::IoT::RoleAlias', 1);
    template.resourceCountIs('AWS::IoT::Policy', 1);
    template.resourceCountIs('AWS::IoT::ThingType', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    // the indexer's dead letters; the offline watch queue and its dead letters; the packer's dead letters
    template.resourceCountIs('AWS::SQS::Queue', 4);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    // the compactor's sweep schedule
    template.resourceCountIs('AWS::Events::Rule', 1);
  });

  test('every camrec function runs Node 24 on arm64', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^camrec ') } }));
    // indexer, api, keys, offline checker, packer, sweep, clip export
    expect(fns.length).toBe(7);
    for (const f of fns) expect((f as any).Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });
});

describe('RecordingPipeline in a user app', () => {
  test('drops into any stack under any id, and the AWS Solutions checks pass there too', () => {
    const app = testApp();
    const stack = new Stack(app, 'Theirs');
    new RecordingPipeline(stack, 'FrontDoorCameras', { retentionDays: 7, segmentSeconds: 4 });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    expect(assembly.getStackByName('Theirs').template.Resources).toBeDefined();
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'packs/continuous/', ExpirationInDays: 7 })]) },
    });
  });

  test('cdk-nag is on: an unacknowledged finding fails the synth', () => {
    const app = testApp();
    const stack = new Stack(app, 'Bad');
    new RecordingPipeline(stack, 'Cameras');
    new s3.Bucket(stack, 'UnloggedPublicish'); // no TLS policy, no access logs
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1[\s\S]*Bad\/UnloggedPublicish/);
  });
});

describe('the deployable app', () => {
  test('-c webhookUrl=https://... delivers every notification there, and cdk-nag still passes', () => {
    const { app, stack } = buildCamrecApp({
      appProps: { context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], webhookUrl: 'https://hooks.example.com/camrec' } },
    });
    app.synth();
    Template.fromStack(stack).hasResourceProperties('AWS::Events::ApiDestination', { InvocationEndpoint: 'https://hooks.example.com/camrec' });
  });
});

describe('exported clips', () => {
  const template = Template.fromStack(new CamrecStack(testApp(), 'ClipsCheck'));
  const recordings = Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.includes('Recordings'))![1];
  const rules = ((recordings as any).Properties?.LifecycleConfiguration?.Rules ?? []) as Record<string, any>[];

  test('no lifecycle rule expires or moves clips/: a clip is kept until DELETE, whatever the retention', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      const prefix: string = r.Prefix ?? r.Filter?.Prefix ?? '';
      const touchesClips = 'clips/'.startsWith(prefix) || prefix.startsWith('clips/');
      if (touchesClips) expect({ prefix, expires: r.ExpirationInDays, moves: r.Transitions }).toEqual({ prefix, expires: undefined, moves: undefined });
    }
  });

  test('the clip export function has its own symmetric KMS key for clips/, rotated', () => {
    template.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('clips'), EnableKeyRotation: true });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^camrec clip export'), Timeout: 900 });
  });
});
