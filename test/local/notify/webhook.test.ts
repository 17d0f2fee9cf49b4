import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { NOTIFICATION_SOURCE, NotificationType, schemaFileName, type NotificationEnvelope } from '../../../contract/index.ts';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.ts';
import { until as poll } from '../../support/until.ts';

const SCHEMAS = fileURLToPath(new URL('../../../lambda/notify/schemas/', import.meta.url));
const detailSchema = (type: NotificationType) => z.fromJSONSchema(JSON.parse(readFileSync(`${SCHEMAS}${schemaFileName(type)}`, 'utf8')));
const CAM = 'cam-1';

/** A real HTTP endpoint that keeps every POST it gets, and refuses the very first one with a 503. */
let receiver: Server;
const received: { atMs: number; body: NotificationEnvelope; contentType: string | undefined }[] = [];
let refusedFirst = false;
let dir: string;
let stack: LocalStackProcess;

const until = <T>(what: string, fn: () => T | undefined | false, timeoutMs = 30_000): Promise<T> =>
  poll(what, fn, { timeoutMs, detail: () => `received ${JSON.stringify(received.map((r) => r.body['detail-type']))}\n${stack?.output().slice(-2000)}` });
const ofType = (type: NotificationType) => received.filter((r) => r.body['detail-type'] === type);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      if (!refusedFirst) {
        refusedFirst = true;
        res.writeHead(503).end();
        return;
      }
      received.push({ atMs: Date.now(), body: JSON.parse(text), contentType: req.headers['content-type'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  dir = await mkdtemp(join(tmpdir(), 'camrec-webhook-'));
  stack = await startLocalStackProcess(dir, ['--webhook', `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, '--offline-after', '5']);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await new Promise((r) => receiver?.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe("camrec local --webhook URL: the cloud's notifications, POSTed to a real endpoint", () => {
  test('event started arrives within seconds of the trigger (before the event ends), then event ended; both in the log and the player feed', async () => {
    // Let the camera come up (first segment), then trigger a 4 s motion event from "the page".
    const triggerAt = Date.now();
    const res = await fetch(`${stack.info.apiUrl}/local/cameras/${CAM}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'motion', seconds: 4 }),
    });
    expect(res.status).toBe(201);
    const { eventId } = (await res.json()) as { eventId: string };
    const started = await until(
      'Camera Event Started',
      () => ofType(NotificationType.EVENT_STARTED).find((r) => (r.body.detail as { eventId: string }).eventId === eventId),
      20_000,
    );
    expect(started.contentType).toBe('application/json');
    expect(started.body).toMatchObject({
      version: '0',
      source: NOTIFICATION_SOURCE,
      'detail-type': NotificationType.EVENT_STARTED,
      account: '000000000000',
      resources: [],
    });
    expect(detailSchema(NotificationType.EVENT_STARTED).parse(started.body.detail)).toMatchObject({ deviceId: CAM, eventId, type: 'motion' });

    const ended = await until(
      'Camera Event Ended',
      () => ofType(NotificationType.EVENT_ENDED).find((r) => (r.body.detail as { eventId: string }).eventId === eventId),
      30_000,
    );
    // Started is delivered while the event is still going on: before ended (ordering, not a wall-clock bound, so a loaded machine cannot fail it).
    expect(received.indexOf(started)).toBeLessThan(received.indexOf(ended));
    expect(started.atMs).toBeGreaterThanOrEqual(triggerAt);
    const d = detailSchema(NotificationType.EVENT_ENDED).parse(ended.body.detail) as { durationMs: number; endReason: string; inferred: boolean };
    expect(d).toMatchObject({ endReason: 'stopped', inferred: false });
    expect(d.durationMs).toBeGreaterThanOrEqual(3500);
    expect(d.durationMs).toBeLessThan(6000);
    expect(refusedFirst).toBe(true); // the first POST got a 503 and was retried: nothing was lost
    expect(stack.log()).toContain(`camrec local: event: Camera Event Started ${CAM} motion (${eventId})`);
    expect(stack.log()).toMatch(new RegExp(`camrec local: event: Camera Event Ended ${CAM} motion \\(${eventId}\\) \\d s, stopped`));

    const feed = (await (await fetch(`${stack.info.apiUrl}/local/notifications?after=0`)).json()) as {
      notifications: { seq: number; envelope: NotificationEnvelope }[];
    };
    expect(feed.notifications.map((n) => n.envelope['detail-type'])).toEqual(
      expect.arrayContaining([NotificationType.EVENT_STARTED, NotificationType.EVENT_ENDED]),
    );
    expect(feed.notifications.find((n) => n.envelope['detail-type'] === NotificationType.EVENT_STARTED)!.envelope.id).toBe(started.body.id);
  }, 60_000);

  test('unplugging the camera: offline within the window, its open event closed; plugged back in: online', async () => {
    await fetch(`${stack.info.apiUrl}/local/cameras/${CAM}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'person', seconds: 60 }),
    });
    await until(
      'the person event started',
      () => ofType(NotificationType.EVENT_STARTED).find((r) => (r.body.detail as { type: string }).type === 'person'),
      20_000,
    );
    const off = await fetch(`${stack.info.apiUrl}/local/cameras/${CAM}/power`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ on: false }),
    });
    expect(off.status).toBe(200);
    const unpluggedAt = Date.now();
    const offline = await until('Camera Offline', () => ofType(NotificationType.CAMERA_OFFLINE)[0], 30_000);
    const od = detailSchema(NotificationType.CAMERA_OFFLINE).parse(offline.body.detail) as {
      lastHeardMs: number;
      detectedMs: number;
      offlineAfterSeconds: number;
    };
    expect(od.offlineAfterSeconds).toBe(5);
    expect(od.detectedMs - od.lastHeardMs).toBeGreaterThanOrEqual(5000);
    expect(od.detectedMs - od.lastHeardMs).toBeLessThan(12_000);
    expect(offline.atMs - unpluggedAt).toBeLessThan(15_000);
    // The agent stopped cleanly (it closed the event with reason shutdown), or the cloud closed it: either way it ended.
    expect(ofType(NotificationType.EVENT_ENDED).some((r) => (r.body.detail as { type: string }).type === 'person')).toBe(true);
    expect(stack.log()).toMatch(/camrec local: event: Camera Offline cam-1 last heard/);

    const on = await fetch(`${stack.info.apiUrl}/local/cameras/${CAM}/power`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ on: true }),
    });
    expect(on.status).toBe(200);
    const online = await until('Camera Online', () => ofType(NotificationType.CAMERA_ONLINE)[0], 30_000);
    expect(detailSchema(NotificationType.CAMERA_ONLINE).parse(online.body.detail)).toMatchObject({ deviceId: CAM, offlineSinceMs: od.lastHeardMs });
  }, 90_000);
});
