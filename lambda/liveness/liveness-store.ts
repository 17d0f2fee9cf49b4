import type { DeviceStateItem } from '../../contract/index.ts';

/** What S3 received from a device, and when (the S3 event time). */
export interface HeardSignal {
  heardMs: number;
  /** A segment (the camera is recording). */
  segment?: boolean;
  /** From a heartbeat: the device's privacy pause and recording mode. */
  status?: { privacyPaused: boolean; mode: 'continuous' | 'event' };
}

/**
 * The liveness half of a device's state item (contract/index-item.ts DeviceStateItem):
 * when it was last heard from, whether it is offline, and the id of the offline watch
 * that follows it (see offline-checker.ts). Conditional writes, so concurrent indexers
 * and checkers never undo each other.
 */
export interface LivenessStore {
  /**
   * Records a signal if it is newer than the last one; answers the state before it
   * (undefined for a device never seen), or 'stale' when a newer signal was recorded.
   */
  hear(deviceId: string, signal: HeardSignal): Promise<{ previous: DeviceStateItem | undefined } | 'stale'>;
  getState(deviceId: string): Promise<DeviceStateItem | undefined>;
  /** Sets a new watch id if the current one is still `expected` (undefined: none); false otherwise. */
  armWatch(deviceId: string, watchId: string, expected: string | undefined): Promise<boolean>;
  /** Marks the device offline (keeping its watch) if its watch and last-heard time are unchanged; false otherwise. */
  markOffline(deviceId: string, watchId: string, lastHeardMs: number, detectedMs: number): Promise<boolean>;
  /** Ends the watch once "offline" was published, if it is still this one. */
  endWatch(deviceId: string, watchId: string): Promise<void>;
  /** Clears the offline mark once "online" was published, if it is still this outage. */
  clearOffline(deviceId: string, offlineSinceMs: number): Promise<void>;
}
