import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, test } from 'vitest';
import { LambdaEnv, NOTIFICATION_SOURCE, NotificationType } from '../../../contract/index.ts';
import { EmailAlerts } from '../../../lib/notifications/email-alerts.ts';
import { RecordingPipeline } from '../../../lib/recording-pipeline.ts';
import { resourcesOf, testApp } from '../support/cdk-test-app.ts';

/** A stack with the pipeline (and its webhook) plus the README's e-mail rule, checked by cdk-nag. */
function build(props: ConstructorParameters<typeof RecordingPipeline>[2] = {}, nag = true): { template: Template; pipeline: RecordingPipeline } {
  const app = testApp();
  const stack = new Stack(app, 'Notify');
  const pipeline = new RecordingPipeline(stack, 'Cameras', props);
  new EmailAlerts(stack, 'Alerts', { bus: pipeline.cameraEvents.bus, addresses: ['ops@example.com'] });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth(); // cdk-nag findings throw here
  return { template: Template.fromStack(stack), pipeline };
}

const policyStatementsOf = (template: Template, roleIdPrefix: string) =>
  resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Roles.some((r: { Ref: string }) => r.Ref.startsWith(roleIdPrefix)))
    .flatMap(([, p]) => p.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
const actions = (ss: { Action: string | string[] }[]) => ss.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('notifications infrastructure', () => {
  const { template } = build({ notifications: { webhookUrl: 'https://hooks.example.com/camrec' } });

  test('a bus, and an offline checker fed by a delayed-message queue with a dead-letter queue', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const [watchId, watch] = resourcesOf(template, 'AWS::SQS::Queue').find(([id]) => id.includes('WatchQueue'))!;
    expect(watch).toMatchObject({ SqsManagedSseEnabled: true, RedrivePolicy: { maxReceiveCount: 5 }, VisibilityTimeout: 60 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [watchId, 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('offline checker'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          [LambdaEnv.OFFLINE_AFTER_SECONDS]: '90',
          [LambdaEnv.WATCH_QUEUE_URL]: { Ref: watchId },
          [LambdaEnv.EVENT_BUS_NAME]: Match.anyValue(),
        }),
      },
    });
  });

  test('the checker may read and update the index, re-arm watches and publish; nothing may Scan', () => {
    const checker = actions(policyStatementsOf(template, 'CamerasNotificationsOfflineChecker'));
    expect(checker).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'sqs:SendMessage', 'events:PutEvents']));
    const everything = resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, p]) => actions(p.PolicyDocument.Statement));
    expect(everything.filter((a) => /Scan|dynamodb:\*/.test(a))).toEqual([]);
  });

  test('the indexer publishes to the bus and arms watches', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('indexer'),
      Environment: {
        Variables: Match.objectLike({
          [LambdaEnv.EVENT_BUS_NAME]: Match.anyValue(),
          [LambdaEnv.WATCH_QUEUE_URL]: Match.anyValue(),
          [LambdaEnv.OFFLINE_AFTER_SECONDS]: '90',
        }),
      },
    });
    expect(actions(policyStatementsOf(template, 'CamerasIndexer'))).toEqual(expect.arrayContaining(['events:PutEvents', 'sqs:SendMessage', 'dynamodb:Query']));
  });

  test('the webhook: an API destination with an auth header from a generated secret, a rule for every notification, retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-camrec-webhook-secret', ApiKeyValue: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://hooks.example.com/camrec',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 10,
    });
    const [dlqId] = resourcesOf(template, 'AWS::SQS::Queue').find(([id]) => id.includes('WebhookDeadLetters'))!;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: { source: [NOTIFICATION_SOURCE], 'detail-type': Object.values(NotificationType) },
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 21_600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        }),
      ],
    });
  });

  test('the e-mail example: an encrypted topic, a subscription, a rule with a one-line message', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: [NOTIFICATION_SOURCE],
        'detail-type': [NotificationType.CAMERA_OFFLINE, NotificationType.CAMERA_ONLINE, NotificationType.EVENT_STARTED],
      },
      Targets: [Match.objectLike({ InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('camera <detail-deviceId> at <time>') }) })],
    });
  });

  test('webhook options are props; bad ones are refused with the rule', () => {
    const { template: t } = build(
      {
        notifications: {
          webhookUrl: 'https://h.example.com/x',
          webhookEventTypes: [NotificationType.CAMERA_OFFLINE],
          webhookRetryAttempts: 3,
          webhookMaxEventAge: Duration.hours(1),
          offlineAfterSeconds: 120,
        },
      },
      false,
    );
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['Camera Offline'] },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 } })],
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [LambdaEnv.OFFLINE_AFTER_SECONDS]: '120' }) } });
    expect(() => build({ notifications: { webhookUrl: 'http://plain.example.com' } }, false)).toThrow(
      /webhookUrl="http:\/\/plain.example.com" must be an https:\/\/ URL/,
    );
    expect(() => build({ notifications: { offlineAfterSeconds: 1000 } }, false)).toThrow(/offlineAfterSeconds=1000 must be a whole number from 10 to 900/);
  });

  test('no webhook by default: the bus and the watch only', () => {
    const { template: t } = build({}, false);
    t.resourceCountIs('AWS::Events::ApiDestination', 0);
    t.resourceCountIs('AWS::Events::EventBus', 1);
  });
});
