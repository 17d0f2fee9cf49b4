import * as z from 'zod';
import { DEVICE_ID_PATTERN, EVENT_ID_PATTERN, EVENT_TYPE_PATTERN } from './ids.ts';
import { EventEndReason } from './event-record.ts';

/**
 * Notifications: what the cloud publishes on the stack's EventBridge bus (and local mode
 * prints, shows and POSTs to its webhook), one EventBridge event per happening:
 *
 *   source       "camrec"
 *   detail-type  one of NotificationType
 *   detail       the shape below for that type (JSON Schema files: lambda/notify/schemas/)
 *   time         when it happened (the event's start or end, when the camera went silent...)
 *
 * Every detail carries `version` (1) and `deviceId`. Delivery is at least once: a
 * consumer that must not act twice dedupes on `dedupeKey`, which is the same for every
 * copy of one notification. These names are a contract: rules and webhooks match on them.
 */
export const NOTIFICATION_SOURCE = 'camrec' as const;
export const NOTIFICATION_VERSION = 1 as const;

export const NotificationType = {
  EVENT_STARTED: 'Camera Event Started',
  EVENT_ENDED: 'Camera Event Ended',
  CAMERA_OFFLINE: 'Camera Offline',
  CAMERA_ONLINE: 'Camera Online',
  CLIP_READY: 'Clip Ready',
} as const;
export type NotificationType = (typeof NotificationType)[keyof typeof NotificationType];

const isoTime = z.iso.datetime().describe('the same instant as ISO 8601 UTC');
const ms = z.number().int().min(0).describe('UTC milliseconds since the epoch');
const base = {
  version: z.literal(NOTIFICATION_VERSION),
  deviceId: z.string().regex(DEVICE_ID_PATTERN).describe('the camera (its IoT thing name)'),
  dedupeKey: z.string().min(1).max(300).describe('the same for every copy of this notification (delivery is at least once)'),
};
const event = {
  eventId: z.string().regex(EVENT_ID_PATTERN),
  type: z.string().regex(EVENT_TYPE_PATTERN).describe('e.g. motion, person, doorbell'),
  startMs: ms,
  start: isoTime,
  label: z.string().max(256).optional(),
};

export const notificationDetailSchemas = {
  [NotificationType.EVENT_STARTED]: z
    .strictObject({
      ...base,
      ...event,
      maxEndMs: ms.describe('the camera closes the event by then at the latest'),
    })
    .describe('A camera event (motion, person, doorbell...) started; published seconds after the start, while it is still going on.'),
  [NotificationType.EVENT_ENDED]: z
    .strictObject({
      ...base,
      ...event,
      endMs: ms,
      end: isoTime,
      durationMs: z.number().int().min(0),
      endReason: z
        .enum(Object.values(EventEndReason) as [EventEndReason, ...EventEndReason[]])
        .describe(
          'stopped, max-duration, shutdown, replaced, restart (the camera said so); superseded, offline (the cloud closed an event its camera never closed)',
        ),
      inferred: z.boolean().describe('true when the cloud closed it (superseded, offline); a later notification from the camera itself may follow'),
    })
    .describe('A camera event ended: its type and range.'),
  [NotificationType.CAMERA_OFFLINE]: z
    .strictObject({
      ...base,
      lastHeardMs: ms.describe('when the cloud last received anything from the camera'),
      lastHeard: isoTime,
      detectedMs: ms,
      detected: isoTime,
      offlineAfterSeconds: z.number().int().min(1).describe('the silence that counts as offline'),
    })
    .describe('A camera went silent: no segment, event or heartbeat for offlineAfterSeconds.'),
  [NotificationType.CAMERA_ONLINE]: z
    .strictObject({
      ...base,
      offlineSinceMs: ms.describe('when it was last heard from before the outage'),
      offlineSince: isoTime,
      backMs: ms.describe('when the cloud heard from it again'),
      back: isoTime,
      outageMs: z.number().int().min(0),
    })
    .describe('A camera that was offline is heard from again.'),
  [NotificationType.CLIP_READY]: z
    .strictObject({
      ...base,
      clipId: z.string().min(1).max(128),
      startMs: ms,
      start: isoTime,
      endMs: ms,
      end: isoTime,
      objectKey: z.string().min(1).max(1024).describe('the exported clip in the recordings bucket'),
      sizeBytes: z.number().int().min(0),
      sha256: z
        .string()
        .regex(/^[A-Za-z0-9+/]{43}=$/)
        .describe('base64 SHA-256 of the clip object'),
      contentType: z.string().min(1),
    })
    .describe('An exported clip is ready to download (published once clip export exists).'),
} as const;

export type NotificationDetail<T extends NotificationType> = z.infer<(typeof notificationDetailSchemas)[T]>;

/** One notification before it is put on a bus: its type, detail and time. */
export type Notification = { [T in NotificationType]: { type: T; detail: NotificationDetail<T>; timeMs: number } }[NotificationType];

/** Checks a detail against its schema (what is published is exactly what is documented). */
export function checkNotification<N extends Notification>(n: N): N {
  const schema = notificationDetailSchemas[n.type] as z.ZodType;
  const r = schema.safeParse(n.detail);
  if (!r.success) throw new Error(`notification ${n.type} does not fit its schema: ${z.prettifyError(r.error)}`);
  return n;
}

/** The JSON Schema of one detail type (draft 2020-12), as written to lambda/notify/schemas/. */
export function notificationJsonSchema(type: NotificationType): Record<string, unknown> {
  const json = z.toJSONSchema(notificationDetailSchemas[type], { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
  return { $id: `https://camrec.dev/schemas/${schemaFileName(type)}`, title: type, ...json };
}

/** `Camera Event Started` -> `camera-event-started.schema.json`. */
export function schemaFileName(type: NotificationType): string {
  return `${type.toLowerCase().replace(/ /g, '-')}.schema.json`;
}

/**
 * The event as EventBridge delivers it to rules, API destinations and webhooks (and as
 * local mode POSTs it): the standard envelope around the detail.
 */
export interface NotificationEnvelope {
  version: '0';
  id: string;
  'detail-type': NotificationType;
  source: typeof NOTIFICATION_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Notification['detail'];
}
