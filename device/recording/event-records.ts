import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EVENT_CONTENT_TYPE,
  EVENT_LIFECYCLE_VERSION,
  EVENT_MAX_DURATION_MS,
  EventEndReason,
  eventEndKey,
  eventKey,
  EventPhase,
  serializeEventRecord,
  type EventEndRecord,
  type EventStartRecord,
} from '../../contract/index.ts';
import type { Logger } from '../core/json-logger.ts';
import { writeFileAtomic } from '../buffer/atomic-file.ts';
import { ItemKind, type UploadItem } from '../core/upload-item.ts';
import type { EventSpan } from './recording-policy.ts';

/** The open event, kept in the state folder so a crash or power cut does not leave it open for good. */
export const OPEN_EVENT_FILE = 'open-event.json';

export interface EventRecordsOptions {
  deviceId: string;
  stateDir: string;
  /** Queues an object for upload (the backlog: events go first, spooled, write-once). */
  upload: (item: UploadItem, body: Uint8Array) => Promise<void>;
  now: () => number;
  log: Logger;
}

/**
 * The agent's event records (contract/event-record.ts, version 2): a start record the
 * moment an event starts, so the cloud can say "event started" within seconds, and an
 * end record when it closes. The open event is also written to the state folder; after
 * a crash the next start finds it and closes it with an end record (reason `restart`, at
 * the restart time, never past the event's maximum length).
 */
export class EventRecords {
  constructor(private readonly o: EventRecordsOptions) {}

  /** Closes the event a previous run left open, if any. */
  async recover(): Promise<EventEndRecord | undefined> {
    const file = join(this.o.stateDir, OPEN_EVENT_FILE);
    let open: EventStartRecord;
    try {
      open = JSON.parse(await readFile(file, 'utf8')) as EventStartRecord;
    } catch {
      return undefined;
    }
    try {
      const endMs = Math.max(open.startMs, Math.min(Math.round(this.o.now()), open.startMs + (open.maxDurationMs ?? EVENT_MAX_DURATION_MS)));
      const end = await this.ended({ eventId: open.eventId, type: open.type, startMs: open.startMs, endMs, endReason: EventEndReason.RESTART }, open.label);
      this.o.log.warn('closed the event a previous run left open', { eventId: open.eventId, startMs: open.startMs, endMs });
      return end;
    } catch (err) {
      this.o.log.error('the open-event file is not a usable event; removed', { file, err });
      await rm(file, { force: true });
      return undefined;
    }
  }

  async started(ev: { eventId: string; type: string; startMs: number; maxDurationMs: number; label?: string }): Promise<EventStartRecord> {
    const record: EventStartRecord = {
      version: EVENT_LIFECYCLE_VERSION,
      phase: EventPhase.START,
      deviceId: this.o.deviceId,
      eventId: ev.eventId,
      type: ev.type,
      startMs: ev.startMs,
      maxDurationMs: Math.min(EVENT_MAX_DURATION_MS, Math.max(1000, Math.round(ev.maxDurationMs))),
      ...(ev.label !== undefined ? { label: ev.label } : {}),
    };
    const body = Buffer.from(serializeEventRecord(record));
    // Best effort: a disk that refuses the write (full, read-only) must not hold up the record itself.
    await writeFileAtomic(join(this.o.stateDir, OPEN_EVENT_FILE), body).catch((err: unknown) =>
      this.o.log.warn('could not keep the open event in the state folder; a crash now would leave it to the cloud to close', { err }),
    );
    await this.o.upload(this.item(eventKey(record)), body);
    return record;
  }

  async ended(span: Pick<EventSpan, 'eventId' | 'type' | 'startMs' | 'endMs' | 'endReason'>, label?: string): Promise<EventEndRecord> {
    const record: EventEndRecord = {
      version: EVENT_LIFECYCLE_VERSION,
      phase: EventPhase.END,
      deviceId: this.o.deviceId,
      eventId: span.eventId,
      type: span.type,
      startMs: span.startMs,
      endMs: Math.min(span.endMs, span.startMs + EVENT_MAX_DURATION_MS),
      endReason: span.endReason as EventEndRecord['endReason'],
      ...(label !== undefined ? { label } : {}),
    };
    await this.o.upload(this.item(eventEndKey(record)), Buffer.from(serializeEventRecord(record)));
    await rm(join(this.o.stateDir, OPEN_EVENT_FILE), { force: true }).catch((err: unknown) => this.o.log.warn('could not remove the open-event file', { err }));
    return record;
  }

  private item(objectKey: string): UploadItem {
    return { kind: ItemKind.EVENT, objectKey, contentType: EVENT_CONTENT_TYPE, metadata: {}, createdMs: this.o.now() };
  }
}
