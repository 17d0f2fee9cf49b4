import { Duration, SecretValue, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NotificationType } from '../../contract/index.ts';
import { NotificationDefault, PropsChecker } from '../settings.ts';
import { CameraEvents } from './camera-events.ts';

export interface WebhookDeliveryProps {
  readonly bus: events.IEventBus;
  /** The HTTPS endpoint that receives each notification as the EventBridge event JSON (POST). */
  readonly url: string;
  /**
   * The header EventBridge sends on every call so the endpoint knows it is camrec.
   * @default - header `x-camrec-webhook-secret` with a generated secret (Secrets Manager; read it to configure the endpoint)
   */
  readonly authorization?: events.Authorization;
  /**
   * Which notifications to deliver.
   * @default all of them
   */
  readonly eventTypes?: readonly NotificationType[];
  /**
   * Calls per second at most (EventBridge queues the rest).
   * @default 10
   */
  readonly rateLimitPerSecond?: number;
  /**
   * Retries of a failed call (EventBridge backs off exponentially) before the event goes to the dead-letter queue.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * How long EventBridge keeps retrying one event.
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
}

/** The header that carries the generated shared secret. */
export const WEBHOOK_SECRET_HEADER = 'x-camrec-webhook-secret';

/**
 * Delivers notifications to an HTTPS endpoint: an EventBridge connection (auth header),
 * an API destination (rate limit), a rule on the camrec bus, retries with exponential
 * backoff, and an encrypted SQS dead-letter queue (14 days) for what never got through.
 */
export class WebhookDelivery extends Construct {
  public readonly connection: events.Connection;
  public readonly destination: events.ApiDestination;
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;
  /** The generated secret the endpoint checks, when no `authorization` was given. */
  public readonly secret: secretsmanager.Secret | undefined;

  constructor(scope: Construct, id: string, props: WebhookDeliveryProps) {
    super(scope, id);
    new PropsChecker('WebhookDelivery')
      .require(
        Token.isUnresolved(props.url) || /^https:\/\/[^\s/]+(\/\S*)?$/.test(props.url),
        `webhookUrl=${JSON.stringify(props.url)} must be an https:// URL (EventBridge API destinations call HTTPS endpoints only)`,
      )
      .wholeInRange('rateLimitPerSecond', props.rateLimitPerSecond, 1, 300)
      .wholeInRange('retryAttempts', props.retryAttempts, 0, 185)
      .require((props.eventTypes ?? [undefined]).length > 0, 'eventTypes must name at least one notification type, or be left out for all')
      .throwIfAny();

    let authorization = props.authorization;
    if (!authorization) {
      this.secret = new secretsmanager.Secret(this, 'Secret', {
        description: `camrec webhook shared secret: sent in the ${WEBHOOK_SECRET_HEADER} header of every notification`,
        generateSecretString: { passwordLength: 40, excludePunctuation: true },
      });
      Validations.of(this.secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'The webhook endpoint checks this value; rotating it means changing the endpoint at the same moment, a manual step.',
      });
      authorization = events.Authorization.apiKey(WEBHOOK_SECRET_HEADER, SecretValue.secretsManager(this.secret.secretArn));
    }
    this.connection = new events.Connection(this, 'Connection', { authorization, description: 'camrec notifications webhook' });
    this.destination = new events.ApiDestination(this, 'Destination', {
      connection: this.connection,
      endpoint: props.url,
      httpMethod: events.HttpMethod.POST,
      rateLimitPerSecond: props.rateLimitPerSecond ?? NotificationDefault.WEBHOOK_RATE_PER_SECOND,
      description: 'camrec notifications webhook',
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the webhook rule target; replay from it by hand.',
    });
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: 'camrec notifications -> webhook',
      eventPattern: CameraEvents.pattern(props.eventTypes),
      targets: [
        new targets.ApiDestination(this.destination, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: props.retryAttempts ?? NotificationDefault.WEBHOOK_RETRY_ATTEMPTS,
          maxEventAge: props.maxEventAge ?? Duration.hours(6),
        }),
      ],
    });
  }
}
