import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { silentLog } from '../shared/log.ts';
import { checkDevice, type CheckOutcome, type OfflineWatchDeps } from './offline-watch.ts';
import { parseWatchMessage } from './watch-queue.ts';

export type OfflineChecker = (event: SQSEvent) => Promise<SQSBatchResponse & { outcomes: Record<CheckOutcome | 'malformed', number> }>;

/**
 * The offline checker over an SQS batch of watch messages (the queue's Lambda event
 * source, with ReportBatchItemFailures): each message is checked on its own; one that
 * fails is reported back and SQS delivers it again; a malformed one is logged and dropped.
 */
export function createOfflineChecker(deps: OfflineWatchDeps): OfflineChecker {
  const log = deps.log ?? silentLog;
  return async (event) => {
    const outcomes: Record<CheckOutcome | 'malformed', number> = { dropped: 0, rescheduled: 0, offline: 0, malformed: 0 };
    const batchItemFailures: { itemIdentifier: string }[] = [];
    await Promise.all(
      (event.Records ?? []).map(async (r) => {
        let msg;
        try {
          msg = parseWatchMessage(r.body);
        } catch (e) {
          outcomes.malformed++;
          log.warn('malformed watch message dropped', { messageId: r.messageId, reason: (e as Error).message });
          return;
        }
        try {
          outcomes[await checkDevice(deps, msg)]++;
        } catch (e) {
          log.error('offline check failed; SQS will deliver it again', { deviceId: msg.deviceId, error: (e as Error).message });
          batchItemFailures.push({ itemIdentifier: r.messageId });
        }
      }),
    );
    return { batchItemFailures, outcomes };
  };
}
