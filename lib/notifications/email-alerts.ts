import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { NotificationType } from '../../contract/index.ts';
import { PropsChecker } from '../settings.ts';
import { CameraEvents } from './camera-events.ts';

export interface EmailAlertsProps {
  /** The camrec notification bus (`pipeline.cameraEvents.bus`). */
  readonly bus: events.IEventBus;
  /** Who gets the e-mails (each confirms the subscription once). */
  readonly addresses: readonly string[];
  /**
   * Which notifications become e-mails.
   * @default camera offline, camera online, camera event started
   */
  readonly eventTypes?: readonly NotificationType[];
}

/**
 * Camera notifications as e-mails: an EventBridge rule on the camrec bus into an SNS topic
 * (encrypted with its own rotating KMS key that EventBridge may use, TLS only) with one
 * e-mail subscription per address, and a one-line message per notification, e.g.
 * "Camera Offline: camera front-door at 2026-06-01T09:31:31Z". The same rule with an SNS
 * mobile-push or SMS subscription, a Lambda or a Slack webhook works the same way.
 */
export class EmailAlerts extends Construct {
  public readonly topic: sns.Topic;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: EmailAlertsProps) {
    super(scope, id);
    new PropsChecker('EmailAlerts')
      .require(props.addresses.length > 0, 'addresses must name at least one e-mail address')
      .require(
        props.addresses.every((a) => /^[^\s@]+@[^\s@]+$/.test(a)),
        `addresses=${JSON.stringify(props.addresses)}: each must be an e-mail address`,
      )
      .throwIfAny();
    const key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'camrec e-mail alerts topic' });
    // EventBridge encrypts what it publishes to the topic with this key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true, displayName: 'camrec camera alerts' });
    for (const address of props.addresses) this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    const types = props.eventTypes ?? [NotificationType.CAMERA_OFFLINE, NotificationType.CAMERA_ONLINE, NotificationType.EVENT_STARTED];
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: 'camrec notifications -> e-mail',
      eventPattern: CameraEvents.pattern(types),
      targets: [
        new targets.SnsTopic(this.topic, {
          message: events.RuleTargetInput.fromText(
            `${events.EventField.detailType}: camera ${events.EventField.fromPath('$.detail.deviceId')} at ${events.EventField.time}`,
          ),
        }),
      ],
    });
  }
}
