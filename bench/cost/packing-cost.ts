import { PackDefault, SEGMENT_RECORD_BYTES } from '../../contract/index.ts';
import { DEFAULT_PART_SIZING, partBytesFor } from '../../lambda/packer/pack-plan.ts';
import { BYTES_PER_GIB, MONTH_DAYS, Phase, SECONDS_PER_DAY, Service, type CostLine, type Prices } from './cost-units.ts';
import type { RequestVector } from './request-counts.ts';

/**
 * The cost of packed history: hot segments stay in S3 Standard for `hotHours` (to the end
 * of their hour, the grace, the sweep, the drain); each camera-hour becomes one pack in
 * its storage class, kept `retentionDays` (billed at least the class's minimum duration;
 * an hour of video is far above the 128 KB minimum size); viewing pays the class's
 * retrieval and GET prices. Pure arithmetic over the scenario, prices and counts.
 */
export const PackClass = { STANDARD: 'STANDARD', STANDARD_IA: 'STANDARD_IA', GLACIER_IR: 'GLACIER_IR', ONEZONE_IA: 'ONEZONE_IA' } as const;
export type PackClass = (typeof PackClass)[keyof typeof PackClass];
/** The classes `cheapest` chooses from (multi-AZ, instant access: what the stack offers by default). */
export const DEFAULT_PACK_CLASSES: readonly PackClass[] = [PackClass.STANDARD, PackClass.STANDARD_IA, PackClass.GLACIER_IR];
/** The classes `cheapest-one-zone` chooses from: the stack's opt-in `singleZonePacks` (One Zone-IA keeps packs in one Availability Zone). */
export const ONE_ZONE_PACK_CLASSES: readonly PackClass[] = [PackClass.STANDARD, PackClass.ONEZONE_IA, PackClass.GLACIER_IR];
/** Pack class choices besides a fixed class: the cheapest of the stack's default classes, or of its single-zone opt-in. */
export const PackChoice = { CHEAPEST: 'cheapest', CHEAPEST_ONE_ZONE: 'cheapest-one-zone' } as const;
export type PackChoice = (typeof PackChoice)[keyof typeof PackChoice];

/**
 * Hours a recorded byte is hot on average with the stack's defaults: half an hour to the
 * end of its hour, the 10-minute grace, half a 5-minute sweep, a minute to pack, and the
 * 12 h 5 min drain (the longest session plus slack).
 */
export const DEFAULT_HOT_HOURS = 0.5 + 10 / 60 + 2.5 / 60 + 1 / 60 + 12 + 5 / 60;

/**
 * Share of the hours watched that is older history read from packs; the rest is live or
 * recent (younger than the hot hours) and read from hot copies in S3 Standard, with no
 * retrieval fee. Half by default; 1 is the upper bound (everything from packs).
 */
export const DEFAULT_HISTORY_VIEWING_SHARE = 0.5;

export interface PackingScenario {
  /** The class packs are written in, or the cheapest for the scenario (of the default classes, or with One Zone-IA: `singleZonePacks`). */
  readonly storageClass: PackClass | PackChoice;
  readonly hotHours: number;
  readonly historyViewingShare: number;
}

export interface ClassPrices {
  storagePerGibMonth: number;
  minimumDays: number;
  retrievalPerGib: number;
  putPer1k: number;
  getPer1k: number;
}

export function classPrices(c: PackClass, p: Prices): ClassPrices {
  const s = p.s3;
  switch (c) {
    case PackClass.STANDARD:
      return {
        storagePerGibMonth: s.standardStoragePerGibMonth,
        minimumDays: 0,
        retrievalPerGib: 0,
        putPer1k: s.standardPutPer1k,
        getPer1k: s.standardGetPer1k,
      };
    case PackClass.STANDARD_IA:
      return {
        storagePerGibMonth: s.standardIaStoragePerGibMonth,
        minimumDays: s.standardIaMinimumDays,
        retrievalPerGib: s.standardIaRetrievalPerGib,
        putPer1k: s.standardIaPutPer1k,
        getPer1k: s.standardIaGetPer1k,
      };
    case PackClass.ONEZONE_IA:
      return {
        storagePerGibMonth: s.oneZoneIaStoragePerGibMonth,
        minimumDays: s.standardIaMinimumDays,
        retrievalPerGib: s.standardIaRetrievalPerGib,
        putPer1k: s.standardIaPutPer1k,
        getPer1k: s.standardIaGetPer1k,
      };
    case PackClass.GLACIER_IR:
      return {
        storagePerGibMonth: s.glacierIrStoragePerGibMonth,
        minimumDays: s.glacierIrMinimumDays,
        retrievalPerGib: s.glacierIrRetrievalPerGib,
        putPer1k: s.glacierIrPutPer1k,
        getPer1k: s.glacierIrGetPer1k,
      };
  }
}

/** Bytes of a segment's own index item, of a pack's checksum per segment, and of a pack or checksums item beside its segments. */
const SEGMENT_ITEM_BYTES = 400;
const CHECKSUM_BYTES = 32;
const PACK_ITEM_FIXED_BYTES = 400;

/** PUT-class requests for one pack, as the compactor cuts it: one PUT when it fits a part, else create + parts + complete. */
export function packPutRequests(packBytes: number): number {
  const partBytes = partBytesFor(packBytes, DEFAULT_PART_SIZING);
  return packBytes <= partBytes ? 1 : Math.ceil(packBytes / partBytes) + 2;
}

export interface PackingInputs {
  readonly storedBytesPerSecond: number;
  readonly retentionDays: number;
  readonly segments: number;
  readonly segmentsWatched: number;
  readonly viewingSeconds: number;
  readonly camerasPerDeployment: number;
  readonly packing: PackingScenario;
  readonly compaction: { perSegment: RequestVector; perPack: RequestVector; lambdaMemoryMb: number; lambdaMsPerGib: number };
}

/** Packs per camera-month: one per hour. */
export const PACKS_PER_MONTH = MONTH_DAYS * 24;

/** Every cost line packed history adds (or replaces) for one camera-month in class `c`. */
export function packingLines(x: PackingInputs, c: PackClass, p: Prices): CostLine[] {
  const cp = classPrices(c, p);
  const gib = (bytes: number) => bytes / BYTES_PER_GIB;
  const packBytes = x.storedBytesPerSecond * 3600;
  const segmentsPerPack = x.segments / PACKS_PER_MONTH;
  // Recording: the compactor.
  const puts = PACKS_PER_MONTH * packPutRequests(packBytes);
  const hotGets = x.segments * x.compaction.perSegment.s3Get;
  const invocations = PACKS_PER_MONTH * x.compaction.perPack.lambdaInvocations;
  const gbSeconds = ((gib(packBytes * PACKS_PER_MONTH) * x.compaction.lambdaMsPerGib) / 1000) * (x.compaction.lambdaMemoryMb / 1024);
  // A pack item and its checksums item per pack (1 WRU per KB each), plus the hour's status writes measured per run.
  const packWrites =
    Math.ceil((PACK_ITEM_FIXED_BYTES + segmentsPerPack * SEGMENT_RECORD_BYTES) / 1024) +
    Math.ceil((PACK_ITEM_FIXED_BYTES + segmentsPerPack * CHECKSUM_BYTES) / 1024);
  const wru = PACKS_PER_MONTH * (packWrites + x.compaction.perPack.dynamoWriteUnits);
  // The hour's segment items read strongly consistently (4 KB per unit), plus the measured small reads.
  const rru = PACKS_PER_MONTH * (Math.ceil((segmentsPerPack * SEGMENT_ITEM_BYTES) / 4096) + x.compaction.perPack.dynamoReadUnits);
  // Storage: hot copies in Standard, packs in their class for at least its minimum duration.
  // Steady state: the GiB held at any time is what is billed each month.
  const hotGib = gib(x.storedBytesPerSecond * x.packing.hotHours * 3600);
  const packGib = gib(x.storedBytesPerSecond * SECONDS_PER_DAY * Math.max(x.retentionDays, cp.minimumDays));
  const indexGib = gib(
    (x.segments / MONTH_DAYS) * PackDefault.HOT_INDEX_DAYS * SEGMENT_ITEM_BYTES +
      (PACKS_PER_MONTH / MONTH_DAYS) * x.retentionDays * (2 * PACK_ITEM_FIXED_BYTES + segmentsPerPack * (SEGMENT_RECORD_BYTES + CHECKSUM_BYTES)),
  );
  // Viewing from packs (the caller passes only the share watched from history): retrieval and the class's GET price.
  const retrievalGib = gib(x.storedBytesPerSecond * x.viewingSeconds);
  const getPremium = (x.segmentsWatched * Math.max(0, cp.getPer1k - p.s3.standardGetPer1k)) / 1000;
  const lines: CostLine[] = [
    { service: Service.S3, phase: Phase.RECORDING, item: `pack PUTs (${c})`, quantity: puts, unit: 'requests', usd: (puts / 1000) * cp.putPer1k },
    {
      service: Service.S3,
      phase: Phase.RECORDING,
      item: 'compactor GETs of hot segments',
      quantity: hotGets,
      unit: 'requests',
      usd: (hotGets / 1000) * p.s3.standardGetPer1k,
    },
    {
      service: Service.LAMBDA,
      phase: Phase.RECORDING,
      item: 'compactor invocations',
      quantity: invocations,
      unit: 'requests',
      usd: (invocations / 1e6) * p.lambda.requestsPerMillion,
    },
    {
      service: Service.LAMBDA,
      phase: Phase.RECORDING,
      item: 'compactor compute (arm64)',
      quantity: gbSeconds,
      unit: 'GB-s',
      usd: gbSeconds * p.lambda.arm64PerGbSecond,
    },
    {
      service: Service.DYNAMODB,
      phase: Phase.RECORDING,
      item: 'compactor write request units',
      quantity: wru,
      unit: 'WRU',
      usd: (wru / 1e6) * p.dynamodb.writeRequestUnitsPerMillion,
    },
    {
      service: Service.DYNAMODB,
      phase: Phase.RECORDING,
      item: 'compactor read request units',
      quantity: rru,
      unit: 'RRU',
      usd: (rru / 1e6) * p.dynamodb.readRequestUnitsPerMillion,
    },
    {
      service: Service.S3,
      phase: Phase.STORAGE,
      item: `Standard storage (hot, ${x.packing.hotHours.toFixed(1)} h)`,
      quantity: hotGib,
      unit: 'GiB-month',
      usd: hotGib * p.s3.standardStoragePerGibMonth,
    },
    {
      service: Service.S3,
      phase: Phase.STORAGE,
      item: `${c} storage (packs${cp.minimumDays > x.retentionDays ? `, billed ${cp.minimumDays} d` : ''})`,
      quantity: packGib,
      unit: 'GiB-month',
      usd: packGib * cp.storagePerGibMonth,
    },
    {
      service: Service.DYNAMODB,
      phase: Phase.STORAGE,
      item: 'index storage',
      quantity: indexGib,
      unit: 'GiB-month',
      usd: indexGib * p.dynamodb.storagePerGibMonth,
    },
    { service: Service.S3, phase: Phase.VIEWING, item: `${c} retrieval`, quantity: retrievalGib, unit: 'GiB', usd: retrievalGib * cp.retrievalPerGib },
    { service: Service.S3, phase: Phase.VIEWING, item: `${c} GET price above Standard`, quantity: x.segmentsWatched, unit: 'requests', usd: getPremium },
  ];
  return lines.filter((l) => l.quantity > 0);
}
