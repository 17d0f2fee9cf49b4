import type { HourItem, HourStatus, PackChecksumsItem, PackItem, SegmentItem } from '../../contract/index.ts';
import type { PutOutcome } from './segment-index.ts';

/** A pack hour with work due, as the open-hours index lists it. */
export interface DueHour {
  deviceId: string;
  hourMs: number;
  dueMs: number;
}

export interface HourSettlement {
  /** The revision the run read; the settlement applies only if it is still the hour's. */
  rev: number;
  status: HourStatus;
  /** When the next work is due (deleting hot copies after the drain), or undefined for none. */
  dueMs: number | undefined;
  unpackable: number;
}

/**
 * The compactor's view of the index (DynamoDB, or a fake): an hour's items read strongly
 * consistently, conditional writes, and the open-hours index. No Scan anywhere.
 */
export interface HistoryStore {
  getHour(deviceId: string, hourMs: number): Promise<HourItem | undefined>;
  /** Every segment item of the hour, whole, ascending by start. */
  hourSegments(deviceId: string, hourMs: number, periodMs: number): Promise<SegmentItem[]>;
  /** Every pack item of the hour, ascending by number. */
  hourPacks(deviceId: string, hourMs: number): Promise<PackItem[]>;
  /**
   * Writes a pack's checksums item, then its pack item once ('exists' when its number is
   * taken). The checksums go first and under the pack's digest: a pack item never lacks
   * them, and a run that loses the race for a number leaves only its own checksums behind.
   */
  putPack(pack: PackItem, checksums: PackChecksumsItem): Promise<PutOutcome>;
  /** The checksums item of a pack, if written. */
  packChecksums(deviceId: string, hourMs: number, packNo: number, digest: string): Promise<PackChecksumsItem | undefined>;
  markDrained(deviceId: string, hourMs: number, packNo: number): Promise<void>;
  /**
   * Records a run's outcome, releases its lease and clears the hour's `recheck` set, unless a segment of the hour was
   * registered since the run read it (the revision moved): then nothing changes and this
   * returns false, and the run must look again.
   */
  settleHour(deviceId: string, hourMs: number, s: HourSettlement): Promise<boolean>;
  /** Hours whose work is due at or before `nowMs`, most overdue first, from one shard of the open-hours index. */
  dueHours(shard: string, nowMs: number, limit: number): Promise<DueHour[]>;
  /** Takes the hour for one run until `leaseUntilMs`; false when it is not due or another run holds it. */
  claimHour(deviceId: string, hourMs: number, nowMs: number, leaseUntilMs: number): Promise<boolean>;
}
