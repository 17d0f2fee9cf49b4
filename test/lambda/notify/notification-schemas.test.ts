import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NotificationType, notificationJsonSchema, schemaFileName, type Notification } from '../../../contract/index.ts';
import { cameraOffline, cameraOnline, clipReady, eventEnded, eventStarted } from '../../../lambda/notify/notifications.ts';

const SCHEMAS = fileURLToPath(new URL('../../../lambda/notify/schemas/', import.meta.url));
const readSchema = (type: NotificationType) => JSON.parse(readFileSync(`${SCHEMAS}${schemaFileName(type)}`, 'utf8')) as Record<string, unknown>;
const T = Date.UTC(2026, 5, 1, 9, 30);

const examples: Record<NotificationType, Notification> = {
  [NotificationType.EVENT_STARTED]: eventStarted({ deviceId: 'front-door', eventId: 'e-1', type: 'person', startMs: T, maxEndMs: T + 300_000, label: 'porch' }),
  [NotificationType.EVENT_ENDED]: eventEnded({
    deviceId: 'front-door',
    eventId: 'e-1',
    type: 'person',
    startMs: T,
    endMs: T + 12_000,
    endReason: 'stopped',
    inferred: false,
  }),
  [NotificationType.CAMERA_OFFLINE]: cameraOffline('front-door', T, T + 91_000, 90_000),
  [NotificationType.CAMERA_ONLINE]: cameraOnline('front-door', T, T + 600_000),
  [NotificationType.CLIP_READY]: clipReady({
    deviceId: 'front-door',
    clipId: 'c-1',
    startMs: T,
    endMs: T + 60_000,
    objectKey: 'clips/front-door/c-1.mp4',
    sizeBytes: 123,
    sha256: 'A'.repeat(43) + '=',
    contentType: 'video/mp4',
  }),
};

describe('notification detail schemas (lambda/notify/schemas/)', () => {
  it.each(Object.values(NotificationType))('%s: the committed JSON Schema is the one the contract generates (npm run schemas)', (type) => {
    expect(readSchema(type)).toEqual(notificationJsonSchema(type));
  });

  it.each(Object.values(NotificationType))('%s: the JSON Schema file accepts what camrec publishes and refuses a wrong detail', (type) => {
    const schema = z.fromJSONSchema(readSchema(type) as never);
    const example = examples[type];
    expect(example.type).toBe(type);
    expect(schema.safeParse(example.detail).success).toBe(true);
    expect(schema.safeParse({ ...example.detail, deviceId: 'a/b' }).success).toBe(false);
    expect(schema.safeParse({ ...example.detail, surprise: 1 }).success).toBe(false);
    const { dedupeKey: _missing, ...withoutKey } = example.detail as Record<string, unknown>;
    expect(schema.safeParse(withoutKey).success).toBe(false);
  });

  it('builders refuse what does not fit, naming the field', () => {
    expect(() => eventEnded({ deviceId: 'cam 1', eventId: 'e', type: 'motion', startMs: T, endMs: T, endReason: 'stopped', inferred: false })).toThrow(
      /Camera Event Ended does not fit its schema.*deviceId/s,
    );
  });

  it('the same happening always gets the same dedupe key', () => {
    expect(cameraOffline('c', T, T + 91_000, 90_000).detail.dedupeKey).toBe(cameraOffline('c', T, T + 95_000, 90_000).detail.dedupeKey);
    expect(eventStarted({ deviceId: 'c', eventId: 'e', type: 'motion', startMs: T, maxEndMs: T + 1 }).detail.dedupeKey).toBe('c:e:started');
  });
});
