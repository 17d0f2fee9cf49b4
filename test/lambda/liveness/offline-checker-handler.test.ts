import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineChecker } from '../../../lambda/liveness/create-offline-checker.ts';
import { sqsWatchQueue } from '../../../lambda/liveness/sqs-watch-queue.ts';
import { NotifyHarness } from '../support/notify-harness.ts';

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());
// (The 'unit' project's files share a worker: the next file gets the real client back.)
afterAll(() => sqs.restore());

const sqsEvent = (...bodies: string[]): SQSEvent => ({ Records: bodies.map((body, i) => ({ messageId: `m-${i}`, body })) }) as unknown as SQSEvent;

describe('offline checker over SQS', () => {
  let h: NotifyHarness;
  beforeAll(async () => {
    h = await new NotifyHarness(Date.UTC(2026, 2, 3), 90_000).start();
  });
  afterAll(async () => h?.close());

  it("sends a watch message with the delay in whole seconds (at most SQS's 900)", async () => {
    sqs.on(SendMessageCommand).resolves({});
    const q = sqsWatchQueue(new SQSClient({ region: 'eu-west-1' }), 'https://sqs.eu-west-1.amazonaws.com/123456789012/watch');
    await q.schedule({ deviceId: 'cam-1', watchId: 'abc' }, 91_001);
    await q.schedule({ deviceId: 'cam-1', watchId: 'abc' }, 5_000_000);
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/watch', MessageBody: '{"deviceId":"cam-1","watchId":"abc"}', DelaySeconds: 92 },
      { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/watch', MessageBody: '{"deviceId":"cam-1","watchId":"abc"}', DelaySeconds: 900 },
    ]);
  });

  it('checks each message of a batch, drops malformed ones and reports the failed ones for redelivery', async () => {
    await h.segment('cam-9');
    const msg = h.queue.pending.find((p) => p.message.deviceId === 'cam-9')!.message;
    h.nowMs += 95_000;
    const checker = createOfflineChecker(h.watchDeps);
    h.publisher.failNext = 1;
    const first = await checker(sqsEvent(JSON.stringify(msg), 'not json', JSON.stringify({ deviceId: 'cam-9', watchId: 'old' })));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
    expect(first.outcomes).toEqual({ dropped: 1, rescheduled: 0, offline: 0, malformed: 1 });
    const again = await checker(sqsEvent(JSON.stringify(msg)));
    expect(again).toEqual({ batchItemFailures: [], outcomes: { dropped: 0, rescheduled: 0, offline: 1, malformed: 0 } });
  });
});
