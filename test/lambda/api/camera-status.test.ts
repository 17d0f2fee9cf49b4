import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStartRecord } from '../../../contract/index.ts';
import { createApiHandler } from '../../../lambda/api/create-api-handler.ts';
import { dynamoEventStore } from '../../../lambda/events/dynamo-event-store.ts';
import { dynamoSegmentIndex } from '../../../lambda/index/dynamo-segment-index.ts';
import { staticTokenSecrets } from '../../../lambda/token/token-secrets.ts';
import { NotifyHarness, TABLE } from '../support/notify-harness.ts';

const T0 = Date.UTC(2026, 3, 1, 8);
const get = (path: string): APIGatewayProxyEventV2 =>
  ({
    rawPath: path,
    requestContext: { http: { method: 'GET' }, requestId: 'r', domainName: 'api.example.com' },
    headers: {},
  }) as unknown as APIGatewayProxyEventV2;

describe('GET /v1/cameras/{id}/status (indexer + API over dynalite)', () => {
  let h: NotifyHarness;
  let status: (id: string) => Promise<Record<string, any>>;
  beforeAll(async () => {
    h = await new NotifyHarness(T0, 90_000).start();
    const api = createApiHandler({
      config: { targetDurationSeconds: 8, liveWindowSegments: 5, corsOrigins: ['*'], publicBaseUrl: 'https://api.example.com', offlineAfterMs: 90_000 },
      index: dynamoSegmentIndex(h.client, TABLE),
      events: dynamoEventStore(h.client, TABLE),
      presigner: { presignGet: async () => 'https://s3.example.com/x' },
      tokenSecrets: staticTokenSecrets([{ version: 'v1', secret: Buffer.alloc(32, 1) }]),
      clock: h.clock,
    });
    status = async (id) => {
      const r = await api(get(`/v1/cameras/${id}/status`));
      expect(r.statusCode).toBe(200);
      return JSON.parse(r.body as string);
    };
  });
  afterAll(async () => h?.close());

  it('recording, idle, privacy, offline and never seen, with the newest event', async () => {
    expect(await status('cam-new')).toMatchObject({ state: 'unknown', lastHeard: null, lastEvent: null });

    await h.segment('cam-rec');
    expect(await status('cam-rec')).toMatchObject({ state: 'recording', lastHeardMs: h.nowMs, lastEvent: null });

    const ev: EventStartRecord = { version: 2, phase: 'start', deviceId: 'cam-rec', eventId: 'm-1', type: 'motion', startMs: h.nowMs, maxDurationMs: 300_000 };
    await h.eventRecord(ev);
    expect((await status('cam-rec')).lastEvent).toMatchObject({ eventId: 'm-1', type: 'motion', open: true });

    await h.heartbeat('cam-idle', { mode: 'event' });
    expect(await status('cam-idle')).toMatchObject({ state: 'idle', recordingMode: 'event', privacyPaused: false });
    await h.heartbeat('cam-priv', { privacyPaused: true });
    expect(await status('cam-priv')).toMatchObject({ state: 'privacy', privacyPaused: true });

    // A recording camera goes quiet for a minute: idle; then past the offline window: offline (the watch reports it too).
    await h.advance(60_000);
    expect((await status('cam-rec')).state).toBe('idle');
    await h.advance(40_000);
    const off = await status('cam-rec');
    expect(off).toMatchObject({ state: 'offline', offlineSince: new Date(T0).toISOString() });
    expect(off.lastEvent).toMatchObject({ eventId: 'm-1', open: false }); // closed by the watch at the last signal
  });
});
