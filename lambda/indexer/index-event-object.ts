import { parseAnyEventRecord, type AnyEventRecord, type EventKeyParts } from '../../contract/index.ts';
import { indexEventRecord, type EventRecordDeps } from '../events/index-event-record.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readSmallJson, SkipObject } from './skip-object.ts';

const MAX_EVENT_RECORD_BYTES = 64 * 1024;

/**
 * The indexer's branch for events/ objects: reads the record, checks it against its key
 * (start records at `.json`, end records at `.end.json`, version 1 at `.json`) and hands
 * it to the event core.
 */
export async function indexEventObject(
  deps: EventRecordDeps & { store: ObjectStore },
  key: string,
  p: EventKeyParts & { phase: 'start' | 'end' },
): Promise<'indexed' | 'duplicate'> {
  const json = await readSmallJson(deps.store, key, MAX_EVENT_RECORD_BYTES, 'event record');
  let record: AnyEventRecord;
  try {
    record = parseAnyEventRecord(json);
  } catch (e) {
    throw new SkipObject((e as Error).message);
  }
  if (record.deviceId !== p.deviceId || record.eventId !== p.eventId || record.startMs !== p.startMs) {
    throw new SkipObject(`event record (device ${record.deviceId}, ${record.startMs}-${record.eventId}) disagrees with its key`);
  }
  const phase = record.version === 1 ? 'start' : record.phase;
  if (phase !== p.phase) throw new SkipObject(`an event ${phase} record must not be stored at the ${p.phase} record's key`);
  return indexEventRecord(deps, record, key);
}
