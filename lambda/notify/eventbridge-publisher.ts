import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { NOTIFICATION_SOURCE, type Notification } from '../../contract/index.ts';
import type { NotificationPublisher } from './notification-publisher.ts';

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_MAX_ENTRIES = 10;

/** Some entries were not accepted; the invocation fails and is retried (the index writes are idempotent). */
export class PublishError extends Error {
  override readonly name: string = 'PublishError';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function toPutEventsEntry(n: Notification, eventBusName: string): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: NOTIFICATION_SOURCE,
    DetailType: n.type,
    Detail: JSON.stringify(n.detail),
    Time: new Date(n.timeMs),
    Resources: [],
  };
}

/**
 * Notifications onto the stack's EventBridge bus: PutEvents in batches of 10 (the SDK
 * retries throttling and 5xx); any entry EventBridge refuses makes `publish` throw.
 */
export function eventBridgePublisher(client: EventBridgeClient, eventBusName: string): NotificationPublisher {
  return {
    async publish(notifications) {
      for (let i = 0; i < notifications.length; i += PUT_EVENTS_MAX_ENTRIES) {
        const batch = notifications.slice(i, i + PUT_EVENTS_MAX_ENTRIES);
        const out = await client.send(new PutEventsCommand({ Entries: batch.map((n) => toPutEventsEntry(n, eventBusName)) }));
        if (out.FailedEntryCount) {
          const failed = (out.Entries ?? []).map((e, j) => (e.ErrorCode ? `${batch[j]?.type} (${e.ErrorCode}: ${e.ErrorMessage})` : undefined)).filter(Boolean);
          throw new PublishError(`EventBridge refused ${out.FailedEntryCount} of ${batch.length} notification(s): ${failed.join('; ')}`);
        }
      }
    },
  };
}
