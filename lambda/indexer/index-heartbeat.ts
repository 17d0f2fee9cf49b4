import { HEARTBEAT_MAX_BYTES, parseHeartbeatRecord, type HeartbeatKeyParts } from '../../contract/index.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readSmallJson, SkipObject } from './skip-object.ts';

/** The indexer's branch for heartbeats/ objects: the device status the heartbeat carries. */
export async function indexHeartbeat(store: ObjectStore, key: string, p: HeartbeatKeyParts): Promise<{ privacyPaused: boolean; mode: 'continuous' | 'event' }> {
  const json = await readSmallJson(store, key, HEARTBEAT_MAX_BYTES, 'heartbeat');
  let hb;
  try {
    hb = parseHeartbeatRecord(json);
  } catch (e) {
    throw new SkipObject((e as Error).message);
  }
  if (hb.deviceId !== p.deviceId || hb.atMs !== p.atMs) throw new SkipObject(`heartbeat (device ${hb.deviceId}, ${hb.atMs}) disagrees with its key`);
  return { privacyPaused: hb.privacyPaused, mode: hb.mode };
}
