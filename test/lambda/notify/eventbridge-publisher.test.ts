import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NOTIFICATION_SOURCE, NotificationType } from '../../../contract/index.ts';
import { eventBridgePublisher } from '../../../lambda/notify/eventbridge-publisher.ts';
import { cameraOffline, eventStarted } from '../../../lambda/notify/notifications.ts';

// EventBridge has no local stand-in here: the exact PutEvents calls are the test.
const eb = mockClient(EventBridgeClient);
afterEach(() => eb.reset());
// (The 'unit' project's files share a worker: the next file gets the real client back.)
afterAll(() => eb.restore());
const T = Date.UTC(2026, 5, 1);

describe('EventBridge publisher', () => {
  it('puts each notification on the bus with source camrec, its detail type, the detail JSON and its time, 10 per call', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const ns = Array.from({ length: 12 }, (_, i) => cameraOffline(`cam-${i}`, T, T + 91_000, 90_000));
    await eventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'camrec-events').publish([
      eventStarted({ deviceId: 'cam-x', eventId: 'e', type: 'motion', startMs: T, maxEndMs: T + 1000 }),
      ...ns,
    ]);
    const calls = eb.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 3]);
    const first = calls[0]!.args[0].input.Entries![0]!;
    expect(first).toEqual({
      EventBusName: 'camrec-events',
      Source: NOTIFICATION_SOURCE,
      DetailType: NotificationType.EVENT_STARTED,
      Detail: expect.any(String),
      Time: new Date(T),
      Resources: [],
    });
    expect(JSON.parse(first.Detail!)).toMatchObject({ version: 1, deviceId: 'cam-x', eventId: 'e', start: new Date(T).toISOString() });
  });

  it('throws when EventBridge refuses an entry, naming it, so the invocation is retried', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] });
    await expect(
      eventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'b').publish([cameraOffline('c', T, T + 91_000, 90_000)]),
    ).rejects.toThrow(/refused 1 of 1 notification\(s\): Camera Offline \(ThrottlingException: slow down\)/);
  });
});
