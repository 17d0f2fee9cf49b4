import { assertDeviceId } from '../../contract/index.ts';

/** "Check on this device": the message an offline watch sends itself, with a delay. */
export interface WatchMessage {
  deviceId: string;
  /** The watch it belongs to; a message of a replaced or ended watch is dropped. */
  watchId: string;
}

/** SQS delays a message at most 15 minutes, so that is the longest silence a watch can wait for. */
export const WATCH_MAX_DELAY_MS = 900_000;

/** Delivers a WatchMessage to the offline checker after a delay (SQS in the cloud, a timer locally). */
export interface WatchQueue {
  schedule(message: WatchMessage, delayMs: number): Promise<void>;
}

export function parseWatchMessage(text: string): WatchMessage {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('watch message is not JSON');
  }
  const m = v as Partial<WatchMessage>;
  assertDeviceId(m?.deviceId);
  if (typeof m.watchId !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(m.watchId)) throw new Error('watch message has no valid watchId');
  return { deviceId: m.deviceId!, watchId: m.watchId };
}
