import { MONTH_SECONDS, type Prices } from './cost-units.ts';

/**
 * What telling "offline" and "something happened" costs per camera-month (pure
 * arithmetic over the price table; see docs/notifications.md for the design):
 *
 * - Offline watch, every online camera: one SQS delayed message per `offlineAfterSeconds`
 *   (SendMessage, and the Lambda event source's ReceiveMessage and DeleteMessage, each
 *   counted as one request: the upper bound, batching only lowers it), one checker
 *   invocation (~10 ms at 256 MB) and one strongly consistent GetItem (1 RRU).
 * - Heartbeats, only while a camera uploads nothing else (an idle event-mode camera, privacy
 *   pause): one ~200-byte S3 PUT per `heartbeatSeconds`, one indexer invocation (GetObject of
 *   the JSON, ~20 ms at 256 MB), one DynamoDB write. Objects expire after a day: their storage
 *   is a few MB-days, under a thousandth of a cent.
 * - Notifications: each one EventBridge custom event; with a webhook, one API destination call.
 *
 * A camera recording continuously pays no heartbeats: every segment it uploads is its sign
 * of life, recorded in the state write the indexer does anyway.
 */
export interface LivenessScenario {
  readonly offlineAfterSeconds: number;
  readonly heartbeatSeconds: number;
  /** Share of the month the camera uploads nothing else (1 for an idle event-mode camera, 0 for a continuous one). */
  readonly idleShare: number;
  /** Notifications per camera-month (2 per event, plus outages). */
  readonly notificationsPerMonth: number;
  readonly webhook: boolean;
}

export interface LivenessCost {
  readonly watchUsd: number;
  readonly heartbeatUsd: number;
  readonly notificationsUsd: number;
  readonly totalUsd: number;
  readonly heartbeatsPerMonth: number;
  readonly checksPerMonth: number;
}

const CHECKER_MS = 10;
const HEARTBEAT_INDEXER_MS = 20;
const LAMBDA_GB = 256 / 1024;

export function livenessCost(s: LivenessScenario, p: Prices): LivenessCost {
  const checksPerMonth = MONTH_SECONDS / s.offlineAfterSeconds;
  const lambda = (invocations: number, ms: number) =>
    (invocations / 1e6) * p.lambda.requestsPerMillion + invocations * (ms / 1000) * LAMBDA_GB * p.lambda.arm64PerGbSecond;
  const watchUsd =
    ((checksPerMonth * 3) / 1e6) * p.sqs.standardRequestsPerMillion +
    lambda(checksPerMonth, CHECKER_MS) +
    (checksPerMonth / 1e6) * p.dynamodb.readRequestUnitsPerMillion;
  const heartbeatsPerMonth = s.heartbeatSeconds > 0 ? (MONTH_SECONDS * s.idleShare) / s.heartbeatSeconds : 0;
  const heartbeatUsd =
    (heartbeatsPerMonth / 1000) * p.s3.standardPutPer1k +
    (heartbeatsPerMonth / 1000) * p.s3.standardGetPer1k +
    lambda(heartbeatsPerMonth, HEARTBEAT_INDEXER_MS) +
    (heartbeatsPerMonth / 1e6) * p.dynamodb.writeRequestUnitsPerMillion;
  const notificationsUsd =
    (s.notificationsPerMonth / 1e6) * (p.eventBridge.customEventsPerMillion + (s.webhook ? p.eventBridge.apiDestinationInvocationsPerMillion : 0));
  return { watchUsd, heartbeatUsd, notificationsUsd, totalUsd: watchUsd + heartbeatUsd + notificationsUsd, heartbeatsPerMonth, checksPerMonth };
}
