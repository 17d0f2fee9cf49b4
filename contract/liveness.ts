/**
 * When a camera counts as offline: the agent's heartbeat period (device.json
 * `heartbeatSeconds`) and the cloud's silence threshold (the CDK's `offlineAfterSeconds`,
 * the offline watch and the status route) are one pair of numbers. Two missed heartbeats
 * mean offline, reported within 2 minutes. See docs/notifications.md.
 */
export const Liveness = {
  /** The agent PUTs a heartbeat after this long without an upload. */
  HEARTBEAT_SECONDS: 45,
  /** Silence after which a camera is offline. */
  OFFLINE_AFTER_SECONDS: 90,
  OFFLINE_AFTER_MIN_SECONDS: 10,
  /** SQS delays a watch message at most 15 minutes. */
  OFFLINE_AFTER_MAX_SECONDS: 900,
} as const;
