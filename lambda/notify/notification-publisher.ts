import type { Notification } from '../../contract/index.ts';

/**
 * Where notifications go: the stack's EventBridge bus in the cloud
 * (eventbridge-publisher.ts), the log, the player and a webhook in local mode. `publish`
 * resolves once every notification was accepted and throws otherwise, so the caller's
 * invocation fails and is retried (delivery is at least once).
 */
export interface NotificationPublisher {
  publish(notifications: readonly Notification[]): Promise<void>;
}

/** Publishes nothing (deployments and tests without notifications). */
export const noPublisher: NotificationPublisher = { publish: async () => {} };

/** A publisher that keeps what it was given, for tests and local mode's recent list. */
export function memoryPublisher(): NotificationPublisher & { readonly published: Notification[] } {
  const published: Notification[] = [];
  return { published, publish: async (ns) => void published.push(...ns) };
}
