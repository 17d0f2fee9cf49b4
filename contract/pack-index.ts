import { createHash } from 'node:crypto';
import { ContractError } from './contract-error.ts';
import { IndexTable, OpenHoursIndex, SortKeyPrefix, padMs } from './index-table.ts';
import { MAX_PACKS_PER_HOUR, type PackKind, type PackRef } from './pack-keys.ts';
import { encodePackedSegments, type PackedSegment } from './pack-segment-records.ts';

/**
 * The index items of packed history (same table as segments, see index-table.ts):
 *
 *   hour#{hourMs:13}                 HourItem: a pack hour's status (open or packed), its
 *                                    revision, and, while work is due, the open-hours
 *                                    index keys (openShard, dueMs)
 *   hour#{hourMs:13}#pack#{packNo:4} PackItem: one pack object and its segments (48 bytes each)
 *   sum#{hourMs:13}#{packNo:4}#{digest}  PackChecksumsItem: its segments' SHA-256s, apart, so
 *                                    playlists (which read hour#...) do not pay for them
 *
 * A 24 h playlist of packed history reads 24 hour items and their packs (one Query) instead
 * of 14,400 segment items; segment items (`seg#`) expire by TTL a few days after their
 * hour, long after it is packed.
 */
export const HourStatus = { OPEN: 'open', PACKED: 'packed' } as const;
export type HourStatus = (typeof HourStatus)[keyof typeof HourStatus];

export interface HourItem {
  deviceId: string;
  sk: string;
  hourMs: number;
  status: HourStatus;
  /** Bumped by the indexer whenever a segment of this hour arrives that a pack run may not have seen. */
  rev: number;
  /** Open-hours index keys: present only while packing or deleting hot copies is due. */
  openShard?: string;
  dueMs?: number;
  /** A compactor run holds the hour until then (so a sweep does not start a second one). */
  leaseUntilMs?: number;
  /** Segments the compactor found in the index but could not pack (object gone, checksum mismatch). */
  unpackable?: number;
  /**
   * Start times of segments indexed again while the hour may already be packed (a camera's
   * re-upload after its hot copy was deleted, an S3 event delivered twice): the compactor
   * checks each against its pack and removes the set when it settles the hour.
   */
  recheck?: Set<number>;
  ttl: number;
}

export interface PackItem {
  deviceId: string;
  sk: string;
  hourMs: number;
  packNo: number;
  kind: PackKind;
  digest: string;
  objectKey: string;
  storageClass: string;
  /** When the pack was verified and indexed (UTC ms): hot copies are deleted `drain` after it. */
  packedAtMs: number;
  sizeBytes: number;
  segmentCount: number;
  /** Key ids the segments use (index into this list in `segs`). */
  keys: string[];
  /** `codecs|width|height`, then `|initId` for fMP4, the segments have (index into this list in `segs`). */
  formats: string[];
  /** The segments, SEGMENT_RECORD_BYTES each (see encodePackedSegments). */
  segs: Uint8Array;
  /** Set once the hot copies of this pack's segments are deleted. */
  drained?: boolean;
  ttl: number;
}

/** The segments' SHA-256s of one pack (what the cameras sent, S3 verified and the indexer recorded), for clips and audits. */
export interface PackChecksumsItem {
  deviceId: string;
  sk: string;
  hourMs: number;
  packNo: number;
  digest: string;
  /** 32 bytes per segment in pack order; all zero where none was recorded. */
  sums: Uint8Array;
  ttl: number;
}

export const hourSortKey = (hourMs: number): string => `${SortKeyPrefix.HOUR}${padMs(hourMs)}`;
export const checksumSortKey = (hourMs: number, packNo: number, digest: string): string =>
  `${SortKeyPrefix.PACK_CHECKSUMS}${padMs(hourMs)}#${String(packNo).padStart(4, '0')}#${digest}`;
export const packSortKey = (hourMs: number, packNo: number): string => `${hourSortKey(hourMs)}#pack#${String(packNo).padStart(4, '0')}`;
/** The last sort key of an hour's items (a BETWEEN bound): '~' sorts after '#' and digits. */
export const hourSortKeyEnd = (hourMs: number): string => `${hourSortKey(hourMs)}#~`;

/** The open-hours index shard a device's hours go to: a stable hash, so one device's hours share a shard. */
export function openShardFor(deviceId: string): string {
  return String(createHash('sha256').update(deviceId).digest()[0]! % OpenHoursIndex.SHARDS);
}

/** Every shard of the open-hours index, for the sweep. */
export const openShards = (): string[] => Array.from({ length: OpenHoursIndex.SHARDS }, (_, i) => String(i));

/** The two index items of a pack: the pack (segments) and its checksums. */
export function toPackItems(
  deviceId: string,
  ref: PackRef,
  segments: readonly PackedSegment[],
  o: { objectKey: string; storageClass: string; packedAtMs: number; retentionDays: number },
): { pack: PackItem; checksums: PackChecksumsItem } {
  if (ref.packNo >= MAX_PACKS_PER_HOUR) throw new ContractError(`an hour holds at most ${MAX_PACKS_PER_HOUR} packs`);
  const { segs, keys, formats, sums } = encodePackedSegments(ref.hourMs, segments);
  const last = segments[segments.length - 1];
  const ttl = Math.floor(o.packedAtMs / 1000) + Math.ceil(o.retentionDays * 86_400);
  const pack = {
    [IndexTable.PARTITION_KEY]: deviceId,
    [IndexTable.SORT_KEY]: packSortKey(ref.hourMs, ref.packNo),
    hourMs: ref.hourMs,
    packNo: ref.packNo,
    kind: ref.kind,
    digest: ref.digest,
    objectKey: o.objectKey,
    storageClass: o.storageClass,
    packedAtMs: o.packedAtMs,
    sizeBytes: last ? last.offset + last.length : 0,
    segmentCount: segments.length,
    keys,
    formats,
    segs,
    [IndexTable.TTL_ATTRIBUTE]: ttl,
  } as PackItem;
  const checksums = {
    [IndexTable.PARTITION_KEY]: deviceId,
    [IndexTable.SORT_KEY]: checksumSortKey(ref.hourMs, ref.packNo, ref.digest),
    hourMs: ref.hourMs,
    packNo: ref.packNo,
    digest: ref.digest,
    sums,
    [IndexTable.TTL_ATTRIBUTE]: ttl,
  } as PackChecksumsItem;
  return { pack, checksums };
}
