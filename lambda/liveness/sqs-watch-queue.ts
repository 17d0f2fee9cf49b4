import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { WATCH_MAX_DELAY_MS, type WatchQueue } from './watch-queue.ts';

/** WatchQueue over an SQS standard queue: SendMessage with DelaySeconds (whole seconds, rounded up, at most 900). */
export function sqsWatchQueue(client: SQSClient, queueUrl: string): WatchQueue {
  return {
    async schedule(message, delayMs) {
      const DelaySeconds = Math.min(WATCH_MAX_DELAY_MS / 1000, Math.max(0, Math.ceil(delayMs / 1000)));
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), DelaySeconds }));
    },
  };
}
