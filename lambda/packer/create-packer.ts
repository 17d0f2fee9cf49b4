import {
  HourStatus,
  PACK_CONTENT_TYPE,
  PackKind,
  decodePackedSegments,
  eventEndBoundMs,
  packDigest,
  packName,
  packObjectKey,
  segmentKey,
  toPackItems,
  type PackItem,
  type PackRef,
  type PackedSegment,
  type SegmentItem,
} from '../../contract/index.ts';
import type { HistoryStore } from '../index/history-store.ts';
import type { SegmentIndex } from '../index/segment-index.ts';
import type { Clock } from '../shared/clock.ts';
import { noMetrics, silentLog, type Log, type MetricsSink } from '../shared/log.ts';
import type { PackStore } from '../storage/pack-store.ts';
import { assemblePack } from './pack-assembly.ts';
import { DEFAULT_PART_SIZING, partBytesFor, planPacks, type PartSizing, type PlannedPack } from './pack-plan.ts';
import { verifyPack, type VerifyMode } from './pack-verify.ts';
import { resolveReuploads } from './reupload-check.ts';
import { PackConflictError } from './packer-errors.ts';

export interface PackerConfig {
  /** The pack hour (one hour in the cloud). */
  periodMs: number;
  /**
   * Hot copies are deleted this long after their pack was indexed. At least the longest
   * session (12 h): a playlist lists a pack only for sessions issued after it was packed,
   * so every hot URI a session was given stays valid until it expires.
   */
  drainMs: number;
  retentionDays: number;
  /** Days event footage is kept; above retentionDays, footage an event covers goes into event packs. */
  eventRetentionDays: number;
  /** Storage class of continuous and of event packs. */
  storageClass: string;
  eventStorageClass: string;
  verify: VerifyMode;
  /** UploadPartCopy for segments of at least a part (S3 only: the copy is verified by S3's part checksum). */
  copyParts: boolean;
  /** @default DEFAULT_PART_SIZING */
  partSizing?: PartSizing;
  /** Segment bytes read ahead. @default 32 MiB */
  prefetchBytes?: number;
}

export interface PackerDeps {
  history: HistoryStore;
  /** Where event ranges come from (event packs). */
  events: Pick<SegmentIndex, 'queryEvents'>;
  store: PackStore;
  config: PackerConfig;
  clock: Clock;
  log?: Log;
  metrics?: MetricsSink;
}

/** One device-hour to work on (what the sweep dispatches). */
export interface PackJob {
  deviceId: string;
  hourMs: number;
}

export interface PackReport extends PackJob {
  /** Packs this run wrote and indexed. */
  packs: { name: string; segments: number; bytes: number }[];
  /** Hot objects deleted (their packs' drain was over). */
  deletedHot: number;
  /** Segments in the index that could not be packed, and why (their object is gone, or is not what was recorded). */
  unpackable: { objectKey: string; reason: string }[];
  /** Hot copies uploaded again after their pack's drain, deleted because their bytes are the packed copy's. */
  redundantDeleted: number;
  /** Hot copies uploaded again after their pack's drain whose bytes differ from the packed copy: kept, and why. */
  reuploadsKept: { objectKey: string; reason: string }[];
  /** Hot objects read to check a re-upload against its packed copy (GETs on top of one per packed segment). */
  reuploadReads: number;
  /** False when segments of the hour kept arriving during every round: the hour stays open for the next sweep. */
  settled: boolean;
}

/** Rounds of one run: a round ends early (and another starts) only when a segment of the hour arrived meanwhile. */
const MAX_ROUNDS = 3;
const DEFAULT_PREFETCH_BYTES = 32 * 1024 * 1024;

export type Packer = { packHour(job: PackJob): Promise<PackReport> };

/**
 * The compactor's core for one device-hour. Every step is idempotent and a crash between
 * any two leaves either the hot copies or a verified, indexed pack:
 *
 *   1. read the hour: its status item (revision), its packs, its segment items;
 *   2. pack the segments no pack holds (all of a closed hour, or late ones: a follow-up
 *      pack): write the pack object (a deterministic key: same segments, same key), verify
 *      it against the checksums the indexer recorded, then index it (a conditional put);
 *   3. delete the hot copies of every pack whose drain is over, then mark the pack drained;
 *      a segment uploaded again after that (flagged by the indexer) is deleted when its
 *      bytes are the packed copy's, else kept and reported (reupload-check.ts);
 *   4. settle the hour (packed; due again when the next drain ends) only if no segment
 *      of it was registered since step 1; otherwise go round again.
 *
 * Segments are never dropped: one whose object is gone or differs from its checksum is
 * left out of the pack, reported and counted on the hour item, and its index item stays.
 */
export function createPacker(deps: PackerDeps): Packer {
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;
  const c = deps.config;
  const splitEvents = c.eventRetentionDays > c.retentionDays;

  async function writePack(deviceId: string, hourMs: number, plan: PlannedPack, report: PackReport): Promise<PackItem | undefined> {
    let segs: SegmentItem[] = plan.segments;
    const storageClass = plan.kind === PackKind.EVENT ? c.eventStorageClass : c.storageClass;
    while (segs.length) {
      const ref: PackRef = {
        kind: plan.kind,
        hourMs,
        packNo: plan.packNo,
        digest: packDigest(segs.map((s) => ({ startMs: s.startMs, seq: s.seq, length: s.sizeBytes, checksumSha256: s.checksumSha256 }))),
      };
      const key = packObjectKey(deviceId, ref);
      const totalBytes = segs.reduce((n, s) => n + s.sizeBytes, 0);
      const assembled = await assemblePack(
        deps.store,
        key,
        segs.map((s) => ({ objectKey: s.objectKey, sizeBytes: s.sizeBytes, checksumSha256: s.checksumSha256 })),
        {
          write: { storageClass, contentType: PACK_CONTENT_TYPE },
          partBytes: partBytesFor(totalBytes, c.partSizing ?? DEFAULT_PART_SIZING),
          copyParts: c.copyParts,
          prefetchBytes: c.prefetchBytes ?? DEFAULT_PREFETCH_BYTES,
        },
      );
      if (!assembled.ok) {
        const bad = segs[assembled.exclusion.index]!;
        report.unpackable.push({ objectKey: bad.objectKey, reason: assembled.exclusion.reason });
        log.error('segment left out of its pack', { deviceId, hourMs, objectKey: bad.objectKey, reason: assembled.exclusion.reason });
        metrics.count('SegmentsUnpackable');
        segs = segs.filter((_, i) => i !== assembled.exclusion.index);
        continue;
      }
      await verifyPack(
        deps.store,
        key,
        assembled.pack,
        segs.map((s) => s.sizeBytes),
        c.verify,
      );
      let offset = 0;
      const packed: PackedSegment[] = segs.map((s, i) => {
        const p: PackedSegment = {
          startMs: s.startMs,
          durationMs: s.durationMs,
          seq: s.seq,
          discSeq: s.discSeq,
          keyId: s.keyId,
          iv: s.iv,
          offset,
          length: s.sizeBytes,
          checksumSha256: assembled.pack.segmentChecksums[i],
          codecs: s.codecs,
          width: s.width,
          height: s.height,
        };
        // fMP4: the segment's init section stays its own object (never packed); the pack names it.
        if (s.initId !== undefined) p.initId = s.initId;
        offset += s.sizeBytes;
        return p;
      });
      const retentionDays = plan.kind === PackKind.EVENT ? c.eventRetentionDays : c.retentionDays;
      const { pack: item, checksums } = toPackItems(deviceId, ref, packed, { objectKey: key, storageClass, packedAtMs: deps.clock.nowMs(), retentionDays });
      if ((await deps.history.putPack(item, checksums)) === 'exists') {
        // A concurrent run got there first: fine if it packed the same segments.
        const existing = (await deps.history.hourPacks(deviceId, hourMs)).find((p) => p.packNo === plan.packNo);
        if (existing?.digest !== ref.digest)
          throw new PackConflictError(
            `${deviceId} hour ${hourMs}: pack ${plan.packNo} is indexed with digest ${existing?.digest}, this run wrote ${ref.digest}; the next run starts over`,
          );
        return existing;
      }
      report.packs.push({ name: packName(ref), segments: packed.length, bytes: totalBytes });
      metrics.count('PacksWritten');
      metrics.count('SegmentsPacked', packed.length);
      metrics.count('PackBytes', totalBytes);
      log.info('pack written', { deviceId, hourMs, key, segments: packed.length, bytes: totalBytes, parts: assembled.pack.parts.length || 1 });
      return item;
    }
    return undefined;
  }

  async function round(job: PackJob, report: PackReport): Promise<boolean> {
    const { deviceId, hourMs } = job;
    const hour = await deps.history.getHour(deviceId, hourMs);
    if (!hour) return true;
    const [packs, segments] = await Promise.all([deps.history.hourPacks(deviceId, hourMs), deps.history.hourSegments(deviceId, hourMs, c.periodMs)]);
    const packedSegments = new Map<number, PackedSegment[]>(packs.map((p) => [p.packNo, decodePackedSegments(p.hourMs, p.segs, p.keys, p.formats)]));
    const packedStarts = new Set<number>();
    for (const list of packedSegments.values()) for (const s of list) packedStarts.add(s.startMs);

    const candidates = segments.filter((s) => !packedStarts.has(s.startMs));
    if (candidates.length) {
      // An event still open counts to its bound (its maximum length): footage it may cover keeps the longer retention.
      const events = splitEvents
        ? (await deps.events.queryEvents(deviceId, hourMs, hourMs + c.periodMs)).map((e) => ({ startMs: e.startMs, endMs: eventEndBoundMs(e) }))
        : [];
      const firstPackNo = packs.reduce((n, p) => Math.max(n, p.packNo + 1), 0);
      for (const plan of planPacks(candidates, { firstPackNo, events, splitEvents })) {
        const item = await writePack(deviceId, hourMs, plan, report);
        if (item && !packedSegments.has(item.packNo)) {
          packs.push(item);
          packedSegments.set(item.packNo, decodePackedSegments(item.hourMs, item.segs, item.keys, item.formats));
        }
      }
    }

    if (hour.recheck?.size) {
      // Packs already drained when the hour was read: a hot object at one of their keys is a re-upload.
      const r = await resolveReuploads(
        deps,
        deviceId,
        hour.recheck,
        packs.filter((p) => p.drained),
      );
      report.redundantDeleted += r.deleted;
      report.reuploadReads += r.reads;
      metrics.count('RedundantHotCopiesDeleted', r.deleted);
      if (r.deleted) log.info('re-uploaded segments already packed: hot copies deleted', { deviceId, hourMs, deleted: r.deleted });
      for (const k of r.kept) {
        if (report.reuploadsKept.some((x) => x.objectKey === k.objectKey)) continue;
        report.reuploadsKept.push(k);
        metrics.count('ReuploadsKept');
        log.error('re-uploaded segment differs from its packed copy; kept hot', { deviceId, hourMs, ...k });
      }
    }

    for (const p of packs) {
      if (p.drained || p.packedAtMs + c.drainMs > deps.clock.nowMs()) continue;
      // An fMP4 segment (it names an init section) is a `.m4s` object, an MPEG-TS one a `.ts`.
      const keys = packedSegments
        .get(p.packNo)!
        .map((s) => segmentKey({ deviceId, startMs: s.startMs, seq: s.seq, container: s.initId !== undefined ? 'fmp4' : 'ts' }));
      await deps.store.deleteObjects(keys);
      await deps.history.markDrained(deviceId, hourMs, p.packNo);
      p.drained = true;
      report.deletedHot += keys.length;
      metrics.count('HotObjectsDeleted', keys.length);
    }

    const pending = packs.filter((p) => !p.drained).map((p) => p.packedAtMs + c.drainMs);
    return deps.history.settleHour(deviceId, hourMs, {
      rev: hour.rev,
      status: HourStatus.PACKED,
      dueMs: pending.length ? Math.min(...pending) : undefined,
      unpackable: new Set(report.unpackable.map((u) => u.objectKey)).size,
    });
  }

  return {
    async packHour(job) {
      const report: PackReport = { ...job, packs: [], deletedHot: 0, unpackable: [], redundantDeleted: 0, reuploadsKept: [], reuploadReads: 0, settled: false };
      for (let i = 0; i < MAX_ROUNDS && !report.settled; i++) report.settled = await round(job, report);
      if (!report.settled) log.warn('segments of the hour kept arriving; it stays open for the next sweep', { ...job });
      return report;
    },
  };
}
