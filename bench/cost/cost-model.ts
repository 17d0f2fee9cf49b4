import { CostModelError } from './cost-errors.ts';
import { ColdStorageClass, ContentKeySpec, mediaBytesPerSecond, monthlyActivity, type CostScenario, type MonthlyActivity } from './cost-scenario.ts';
import {
  BYTES_PER_GIB,
  COLD_MIN_OBJECT_BYTES,
  MONTH_DAYS,
  Phase,
  SECONDS_PER_DAY,
  Service,
  sumUsd,
  type CostEstimate,
  type CostLine,
  type Prices,
} from './cost-units.ts';
import { kvsCost } from './kvs-cost.ts';
import { DEFAULT_PACK_CLASSES, ONE_ZONE_PACK_CLASSES, PackChoice, packingLines, type PackClass } from './packing-cost.ts';
import { addScaled, ZERO_REQUESTS, type RequestCounts, type RequestVector } from './request-counts.ts';

/**
 * Cost per camera-month: camrec (S3 + Lambda + DynamoDB + API Gateway + KMS) beside
 * Kinesis Video Streams for the same bitrate, retention and viewing (kvs-cost.ts). Pure
 * arithmetic: prices and request counts come in as arguments, nothing is read here. The
 * scenario and its monthly activity are in cost-scenario.ts, units and line sums in
 * cost-units.ts, packed history's lines in packing-cost.ts.
 *
 * Conventions: a month is 30 days; "GB" in AWS prices is a GiB (2^30 bytes); steady state
 * (the bucket already holds `retentionDays` of footage, and expires as much as it adds);
 * no free tier; first volume tier only.
 */

export function recordingRequests(a: MonthlyActivity, counts: RequestCounts): RequestVector {
  let v = addScaled(ZERO_REQUESTS, counts.recording.perSegment, a.segments);
  v = addScaled(v, counts.recording.perKeyRotation, a.keyRotations);
  return addScaled(v, counts.recording.perEvent, a.events);
}

export function viewingRequests(a: MonthlyActivity, counts: RequestCounts): RequestVector {
  let v = addScaled(ZERO_REQUESTS, counts.viewing.perSession, a.sessions);
  v = addScaled(v, counts.viewing.perPlaylistRequest, a.playlistRequests);
  v = addScaled(v, counts.viewing.perSegmentWatched, a.segmentsWatched);
  return addScaled(v, counts.viewing.perKeyFetch, a.keyFetches);
}

function requestLines(v: RequestVector, phase: Phase, s: CostScenario, counts: RequestCounts, p: Prices): CostLine[] {
  const memoryMb = phase === Phase.RECORDING ? counts.lambdaMemoryMb.indexer : counts.lambdaMemoryMb.api;
  const gbSeconds = (v.lambdaMs / 1000) * (memoryMb / 1024);
  const kmsPer10k = s.contentKeySpec === ContentKeySpec.RSA_2048 ? p.kms.rsa2048Per10k : p.kms.asymmetricOtherPer10k;
  const lines: CostLine[] = [
    { service: Service.S3, phase, item: 'PUT requests', quantity: v.s3Put, unit: 'requests', usd: (v.s3Put / 1000) * p.s3.standardPutPer1k },
    { service: Service.S3, phase, item: 'GET/HEAD requests', quantity: v.s3Get, unit: 'requests', usd: (v.s3Get / 1000) * p.s3.standardGetPer1k },
    {
      service: Service.LAMBDA,
      phase,
      item: 'invocations',
      quantity: v.lambdaInvocations,
      unit: 'requests',
      usd: (v.lambdaInvocations / 1e6) * p.lambda.requestsPerMillion,
    },
    { service: Service.LAMBDA, phase, item: 'compute (arm64)', quantity: gbSeconds, unit: 'GB-s', usd: gbSeconds * p.lambda.arm64PerGbSecond },
    {
      service: Service.DYNAMODB,
      phase,
      item: 'write request units',
      quantity: v.dynamoWriteUnits,
      unit: 'WRU',
      usd: (v.dynamoWriteUnits / 1e6) * p.dynamodb.writeRequestUnitsPerMillion,
    },
    {
      service: Service.DYNAMODB,
      phase,
      item: 'read request units',
      quantity: v.dynamoReadUnits,
      unit: 'RRU',
      usd: (v.dynamoReadUnits / 1e6) * p.dynamodb.readRequestUnitsPerMillion,
    },
    {
      service: Service.API_GATEWAY,
      phase,
      item: 'HTTP API requests',
      quantity: v.apiRequests,
      unit: 'requests',
      usd: (v.apiRequests / 1e6) * p.apiGateway.httpApiRequestsPerMillion,
    },
    {
      service: Service.KMS,
      phase,
      item: `Decrypt (${s.contentKeySpec})`,
      quantity: v.kmsDecrypts,
      unit: 'requests',
      usd: (v.kmsDecrypts / 10_000) * kmsPer10k,
    },
  ];
  return lines.filter((l) => l.quantity > 0);
}

/** S3 storage by class at steady state, plus lifecycle transition requests. */
export function s3StorageLines(s: CostScenario, a: MonthlyActivity, counts: RequestCounts, p: Prices): CostLine[] {
  const storedBytesPerSecond = mediaBytesPerSecond(s.bitrateMbps) * (1 + counts.bytes.tsOverheadFraction);
  const gibMonthsFor = (bytesPerSecond: number, days: number) => (bytesPerSecond * days * SECONDS_PER_DAY) / BYTES_PER_GIB;
  const lc = s.lifecycle;
  if (!lc || s.retentionDays <= lc.transitionAfterDays) {
    const gib = gibMonthsFor(storedBytesPerSecond, s.retentionDays);
    return [
      { service: Service.S3, phase: Phase.STORAGE, item: 'Standard storage', quantity: gib, unit: 'GiB-month', usd: gib * p.s3.standardStoragePerGibMonth },
    ];
  }
  const ia = lc.toClass === ColdStorageClass.STANDARD_IA;
  const minimumDays = ia ? p.s3.standardIaMinimumDays : p.s3.glacierIrMinimumDays;
  const perGibMonth = ia ? p.s3.standardIaStoragePerGibMonth : p.s3.glacierIrStoragePerGibMonth;
  const transitionPer1k = ia ? p.s3.transitionToStandardIaPer1k : p.s3.transitionToGlacierIrPer1k;
  // Objects expire before the class's minimum duration are billed for the minimum;
  // objects smaller than 128 KiB are billed as 128 KiB.
  const coldDays = Math.max(s.retentionDays - lc.transitionAfterDays, minimumDays);
  const segmentBytes = storedBytesPerSecond * s.segmentSeconds;
  const coldBytesPerSecond = Math.max(segmentBytes, COLD_MIN_OBJECT_BYTES) / s.segmentSeconds;
  const hotGib = gibMonthsFor(storedBytesPerSecond, lc.transitionAfterDays);
  const coldGib = gibMonthsFor(coldBytesPerSecond, coldDays);
  return [
    { service: Service.S3, phase: Phase.STORAGE, item: 'Standard storage', quantity: hotGib, unit: 'GiB-month', usd: hotGib * p.s3.standardStoragePerGibMonth },
    { service: Service.S3, phase: Phase.STORAGE, item: `${lc.toClass} storage`, quantity: coldGib, unit: 'GiB-month', usd: coldGib * perGibMonth },
    {
      service: Service.S3,
      phase: Phase.STORAGE,
      item: `transitions to ${lc.toClass}`,
      quantity: a.segments,
      unit: 'requests',
      usd: (a.segments / 1000) * transitionPer1k,
    },
  ];
}

/** camrec's cost; with packing in the cheapest class, the class that makes it cheapest (named in `packClass`). */
export function camrecCost(s: CostScenario, counts: RequestCounts, p: Prices): CostEstimate {
  if (!s.packing) return unpackedCost(s, counts, p);
  const choice = s.packing.storageClass;
  if (choice !== PackChoice.CHEAPEST && choice !== PackChoice.CHEAPEST_ONE_ZONE) return packedCost(s, choice, counts, p);
  const options = (choice === PackChoice.CHEAPEST ? DEFAULT_PACK_CLASSES : ONE_ZONE_PACK_CLASSES).map((c) => packedCost(s, c, counts, p));
  return options.reduce((best, o) => (o.totalUsd < best.totalUsd ? o : best));
}

function packedCost(s: CostScenario, c: PackClass, counts: RequestCounts, p: Prices): CostEstimate {
  if (!counts.compaction)
    throw new CostModelError(`request counts "${counts.label}" have no compaction counts: run npm run soak, or use bench/cost/requests-per-segment.json`);
  const a = monthlyActivity(s, counts);
  const storedBytesPerSecond = mediaBytesPerSecond(s.bitrateMbps) * (1 + counts.bytes.tsOverheadFraction);
  const unpacked = unpackedCost({ ...s, packing: undefined, lifecycle: undefined }, counts, p);
  // Packing replaces all S3 and index storage (hot for hours, then packs); adds compaction and retrieval.
  const kept = unpacked.lines.filter((l) => l.phase !== Phase.STORAGE);
  const packing = packingLines(
    {
      storedBytesPerSecond,
      retentionDays: s.retentionDays,
      segments: a.segments,
      camerasPerDeployment: s.camerasPerDeployment,
      packing: s.packing!,
      compaction: counts.compaction,
      // Live and recent viewing reads hot copies in Standard; only the rest is read from packs.
      segmentsWatched: a.segmentsWatched * s.packing!.historyViewingShare,
      viewingSeconds: a.viewingSeconds * s.packing!.historyViewingShare,
    },
    c,
    p,
  );
  const lines = [...kept, ...packing];
  return { lines, totalUsd: sumUsd(lines), packClass: c };
}

function unpackedCost(s: CostScenario, counts: RequestCounts, p: Prices): CostEstimate {
  const a = monthlyActivity(s, counts);
  const storedBytesPerSecond = mediaBytesPerSecond(s.bitrateMbps) * (1 + counts.bytes.tsOverheadFraction);
  const indexItems = ((a.segments + a.keyRotations + a.events) / MONTH_DAYS) * s.retentionDays;
  const indexGib = (indexItems * counts.bytes.indexItemBytes) / BYTES_PER_GIB;
  const egressGib = (a.viewingSeconds * storedBytesPerSecond + a.playlistRequests * counts.bytes.playlistBytes) / BYTES_PER_GIB;
  const lines: CostLine[] = [
    ...requestLines(recordingRequests(a, counts), Phase.RECORDING, s, counts, p),
    ...s3StorageLines(s, a, counts, p),
    {
      service: Service.DYNAMODB,
      phase: Phase.STORAGE,
      item: 'index storage',
      quantity: indexGib,
      unit: 'GiB-month',
      usd: indexGib * p.dynamodb.storagePerGibMonth,
    },
    ...requestLines(viewingRequests(a, counts), Phase.VIEWING, s, counts, p),
    {
      service: Service.DATA_TRANSFER,
      phase: Phase.VIEWING,
      item: 'segments + playlists to viewers',
      quantity: egressGib,
      unit: 'GiB',
      usd: egressGib * p.dataTransfer.outToInternetPerGib,
    },
    {
      service: Service.KMS,
      phase: Phase.FIXED,
      item: `content key, 1 per deployment / ${s.camerasPerDeployment} cameras`,
      quantity: 1 / s.camerasPerDeployment,
      unit: 'key-months',
      usd: p.kms.keyPerMonth / s.camerasPerDeployment,
    },
    {
      service: Service.SECRETS_MANAGER,
      phase: Phase.FIXED,
      item: `token secret, 1 per deployment / ${s.camerasPerDeployment} cameras`,
      quantity: 1 / s.camerasPerDeployment,
      unit: 'secret-months',
      usd: p.secretsManager.secretPerMonth / s.camerasPerDeployment,
    },
  ];
  return { lines, totalUsd: sumUsd(lines) };
}

export interface CostComparison {
  readonly scenario: CostScenario;
  readonly camrec: CostEstimate;
  readonly kvs: CostEstimate;
  /** KVS cost / camrec cost: above 1, camrec is cheaper. */
  readonly kvsOverCamrec: number;
}

export function compareCosts(s: CostScenario, counts: RequestCounts, p: Prices): CostComparison {
  const camrec = camrecCost(s, counts, p);
  const kvs = kvsCost(s, p);
  return { scenario: s, camrec, kvs, kvsOverCamrec: kvs.totalUsd / camrec.totalUsd };
}
