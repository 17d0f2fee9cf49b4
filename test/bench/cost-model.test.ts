import { describe, expect, test } from 'vitest';
import { camrecCost, compareCosts } from '../../bench/cost/cost-model.ts';
import { ColdStorageClass, ContentKeySpec, monthlyActivity, type CostScenario } from '../../bench/cost/cost-scenario.ts';
import { Phase, Service, type CostEstimate } from '../../bench/cost/cost-units.ts';
import { kvsCost } from '../../bench/cost/kvs-cost.ts';
import { PRICES_US_EAST_1 as prices } from '../../bench/cost/prices-us-east-1.ts';
import type { RequestCounts, RequestVector } from '../../bench/cost/request-counts.ts';

// Every expected figure below was worked out by hand (a month is 30 days = 2,592,000 s;
// 1 GiB = 1,073,741,824 bytes) from the us-east-1 prices, not taken from the model.

const none: RequestVector = { s3Put: 0, s3Get: 0, lambdaInvocations: 0, lambdaMs: 0, dynamoWriteUnits: 0, dynamoReadUnits: 0, apiRequests: 0, kmsDecrypts: 0 };
const counts: RequestCounts = {
  label: 'test counts',
  lambdaMemoryMb: { indexer: 256, api: 512 },
  recording: {
    perSegment: { ...none, s3Put: 1, s3Get: 1, lambdaInvocations: 1, lambdaMs: 40, dynamoWriteUnits: 2 },
    perKeyRotation: { ...none, s3Put: 1 },
    perEvent: { ...none, s3Put: 1, dynamoWriteUnits: 1 },
  },
  viewing: {
    perSession: { ...none, apiRequests: 1, lambdaInvocations: 1 },
    perPlaylistRequest: { ...none, apiRequests: 1, lambdaInvocations: 1, dynamoReadUnits: 1 },
    perSegmentWatched: { ...none, s3Get: 1 },
    perKeyFetch: { ...none, apiRequests: 1, lambdaInvocations: 1, kmsDecrypts: 1 },
    playlistRequestsPerSegment: 1,
  },
  bytes: { tsOverheadFraction: 0, playlistBytes: 1500, indexItemBytes: 400 },
};

/** 1 Mbps, 30 days, 2 s segments, nothing watched, no events, one camera per deployment. */
const base: CostScenario = {
  bitrateMbps: 1,
  retentionDays: 30,
  segmentSeconds: 2,
  keyRotationSeconds: 3600,
  eventsPerDay: 0,
  viewingHoursPerMonth: 0,
  viewingSessionMinutes: 10,
  camerasPerDeployment: 1,
  contentKeySpec: ContentKeySpec.RSA_3072,
};

const line = (e: CostEstimate, service: Service, item: string, phase?: Phase) => {
  const found = e.lines.filter((l) => l.service === service && l.item === item && (phase === undefined || l.phase === phase));
  expect(found, `${service} ${item}`).toHaveLength(1);
  return found[0]!;
};

describe('camrec recording', () => {
  const e = camrecCost(base, counts, prices);

  test('one PUT per 2 s segment plus one per hourly key: 1,296,720 PUTs at $0.005 per 1,000 = $6.4836', () => {
    const put = line(e, Service.S3, 'PUT requests', Phase.RECORDING);
    expect(put.quantity).toBe(1_296_720);
    expect(put.usd).toBeCloseTo(6.4836, 6);
  });

  test('the indexer: 1,296,000 HEADs ($0.5184), invocations ($0.2592), 12,960 GB-s ($0.1728), 2,592,000 WRU ($1.62)', () => {
    expect(line(e, Service.S3, 'GET/HEAD requests', Phase.RECORDING).usd).toBeCloseTo(0.5184, 6);
    expect(line(e, Service.LAMBDA, 'invocations', Phase.RECORDING).usd).toBeCloseTo(0.2592, 6);
    const compute = line(e, Service.LAMBDA, 'compute (arm64)', Phase.RECORDING);
    expect(compute.quantity).toBeCloseTo(12_960, 6); // 1,296,000 x 0.040 s x 0.25 GB
    expect(compute.usd).toBeCloseTo(0.172800864, 9);
    expect(line(e, Service.DYNAMODB, 'write request units', Phase.RECORDING).usd).toBeCloseTo(1.62, 6);
  });

  test('1 Mbps kept 30 days is 301.7485 GiB-month of S3 Standard = $6.9402', () => {
    const storage = line(e, Service.S3, 'Standard storage');
    expect(storage.quantity).toBeCloseTo(301.748514, 5);
    expect(storage.usd).toBeCloseTo(6.940216, 5);
  });

  test('the index keeps 30 days of segment and key items: 1,296,720 x 400 B = 0.4831 GiB at $0.25', () => {
    expect(line(e, Service.DYNAMODB, 'index storage').usd).toBeCloseTo(0.120766, 5);
  });

  test('fixed costs are split over the cameras of a deployment', () => {
    expect(line(e, Service.KMS, 'content key, 1 per deployment / 1 cameras').usd).toBe(1);
    const shared = camrecCost({ ...base, camerasPerDeployment: 100 }, counts, prices);
    expect(line(shared, Service.KMS, 'content key, 1 per deployment / 100 cameras').usd).toBeCloseTo(0.01, 9);
    expect(line(shared, Service.SECRETS_MANAGER, 'token secret, 1 per deployment / 100 cameras').usd).toBeCloseTo(0.004, 9);
  });

  test('with nothing watched there is no viewing line, and the total is the sum of the lines', () => {
    expect(e.lines.filter((l) => l.phase === Phase.VIEWING && l.usd > 0)).toEqual([]);
    // 6.4836 + 0.5184 + 0.2592 + 0.172800864 + 1.62 + 6.940216 + 0.120766 + 1 + 0.4
    expect(e.totalUsd).toBeCloseTo(17.514983, 4);
  });

  test('longer segments mean proportionally fewer PUTs: 6 s segments make 432,000 + 720', () => {
    const six = camrecCost({ ...base, segmentSeconds: 6 }, counts, prices);
    expect(line(six, Service.S3, 'PUT requests', Phase.RECORDING).quantity).toBe(432_720);
  });
});

describe('camrec lifecycle', () => {
  test('40 days with Standard-IA after 30: the 10 cold days are billed as the 30-day minimum, and every segment pays a transition', () => {
    const e = camrecCost({ ...base, retentionDays: 40, lifecycle: { transitionAfterDays: 30, toClass: ColdStorageClass.STANDARD_IA } }, counts, prices);
    expect(line(e, Service.S3, 'Standard storage').usd).toBeCloseTo(6.940216, 5);
    const cold = line(e, Service.S3, 'STANDARD_IA storage');
    expect(cold.quantity).toBeCloseTo(301.748514, 5);
    expect(cold.usd).toBeCloseTo(3.771856, 5);
    expect(line(e, Service.S3, 'transitions to STANDARD_IA').usd).toBeCloseTo(12.96, 6);
  });

  test('segments under 128 KiB are billed as 128 KiB in Glacier IR: 0.25 Mbps x 2 s, 190 cold days = 1001.953125 GiB-month', () => {
    const e = camrecCost(
      { ...base, bitrateMbps: 0.25, retentionDays: 200, lifecycle: { transitionAfterDays: 10, toClass: ColdStorageClass.GLACIER_IR } },
      counts,
      prices,
    );
    const cold = line(e, Service.S3, 'GLACIER_IR storage');
    expect(cold.quantity).toBeCloseTo(1001.953125, 9);
    expect(cold.usd).toBeCloseTo(4.0078125, 9);
  });

  test('a retention shorter than the transition age keeps everything in Standard', () => {
    const e = camrecCost({ ...base, retentionDays: 7, lifecycle: { transitionAfterDays: 30, toClass: ColdStorageClass.STANDARD_IA } }, counts, prices);
    expect(e.lines.filter((l) => l.service === Service.S3 && l.phase === Phase.STORAGE).map((l) => l.item)).toEqual(['Standard storage']);
  });
});

describe('viewing', () => {
  const watched: CostScenario = { ...base, bitrateMbps: 2, viewingHoursPerMonth: 30 };

  test('30 h in 10-minute sessions with hourly keys: 180 sessions, 54,000 segments and playlists, 210 key fetches', () => {
    const a = monthlyActivity(watched, counts);
    expect(a).toMatchObject({ viewingSeconds: 108_000, sessions: 180, segmentsWatched: 54_000, playlistRequests: 54_000, keyFetches: 210 });
  });

  test('egress: 27 GB of segments + 54,000 playlists of 1,500 B = 25.2215 GiB at $0.09', () => {
    const e = camrecCost(watched, counts, prices);
    expect(line(e, Service.DATA_TRANSFER, 'segments + playlists to viewers').usd).toBeCloseTo(2.269903, 5);
  });

  test('210 KMS Decrypts cost $0.00315 with RSA 3072 and $0.00063 with RSA 2048', () => {
    expect(line(camrecCost(watched, counts, prices), Service.KMS, 'Decrypt (RSA_3072)').usd).toBeCloseTo(0.00315, 9);
    expect(line(camrecCost({ ...watched, contentKeySpec: ContentKeySpec.RSA_2048 }, counts, prices), Service.KMS, 'Decrypt (RSA_2048)').usd).toBeCloseTo(
      0.00063,
      9,
    );
  });

  test('API Gateway: 180 sessions + 54,000 playlists + 210 keys = 54,390 requests at $1 per million', () => {
    const api = line(camrecCost(watched, counts, prices), Service.API_GATEWAY, 'HTTP API requests', Phase.VIEWING);
    expect(api.quantity).toBe(54_390);
    expect(api.usd).toBeCloseTo(0.05439, 9);
  });
});

describe('Kinesis Video Streams', () => {
  test('1 Mbps for 30 days: 301.7485 GiB ingested ($2.5649) and stored ($6.9402), nothing watched', () => {
    const e = kvsCost(base, prices);
    expect(e.totalUsd).toBeCloseTo(9.505078, 5);
  });

  test('30 h watched at 2 Mbps: 25.1457 GiB of HLS at $0.0119 plus $0.09 transfer out', () => {
    const e = kvsCost({ ...base, bitrateMbps: 2, viewingHoursPerMonth: 30 }, prices);
    // 250,000 B/s x 108,000 s = 27,000,000,000 B = 25.14570951 GiB
    expect(line(e, Service.KVS, 'HLS data consumed').usd).toBeCloseTo(0.299234, 5);
    expect(line(e, Service.DATA_TRANSFER, 'HLS to viewers').usd).toBeCloseTo(2.263114, 5);
  });

  test('the ratio is KVS over camrec', () => {
    const c = compareCosts(base, counts, prices);
    expect(c.kvsOverCamrec).toBeCloseTo(9.505078 / 17.514983, 4);
  });
});

describe('camrec with packed history', () => {
  const compaction = {
    perSegment: { ...none, s3Get: 1 },
    perPack: { ...none, lambdaInvocations: 1, dynamoWriteUnits: 3, dynamoReadUnits: 2 },
    lambdaMemoryMb: 1024,
    lambdaMsPerGib: 15_000,
  };
  const packed: CostScenario = {
    ...base,
    bitrateMbps: 2,
    segmentSeconds: 6,
    viewingHoursPerMonth: 30,
    packing: { storageClass: 'STANDARD_IA', hotHours: 12, historyViewingShare: 0.5 },
  };
  const e = camrecCost(packed, { ...counts, compaction }, prices);

  test('hot copies for 12 h in Standard: 250,000 B/s x 43,200 s = 10.0583 GiB at $0.023; packs 30 days in Standard-IA: 603.4970 GiB at $0.0125', () => {
    const hot = line(e, Service.S3, 'Standard storage (hot, 12.0 h)');
    expect(hot.quantity).toBeCloseTo(10.058284, 5);
    expect(hot.usd).toBeCloseTo(0.231341, 5);
    const packs = line(e, Service.S3, 'STANDARD_IA storage (packs)');
    expect(packs.quantity).toBeCloseTo(603.497028, 5);
    expect(packs.usd).toBeCloseTo(7.543713, 5);
    expect(e.packClass).toBe('STANDARD_IA');
  });

  test('an hour at 2 Mbps (900,000,000 B) is 16 parts: 18 PUT-class requests per pack, 720 packs = 12,960 at $0.01 per 1,000', () => {
    const puts = line(e, Service.S3, 'pack PUTs (STANDARD_IA)');
    expect(puts.quantity).toBe(12_960);
    expect(puts.usd).toBeCloseTo(0.1296, 6);
  });

  test('half of 30 h watched is read from packs: 13.5 GB = 12.5729 GiB of retrieval at $0.01; Glacier IR bills 90 days for 30 kept', () => {
    expect(line(e, Service.S3, 'STANDARD_IA retrieval').quantity).toBeCloseTo(12.572855, 5);
    const gir = camrecCost({ ...packed, packing: { ...packed.packing!, storageClass: 'GLACIER_IR' } }, { ...counts, compaction }, prices);
    expect(line(gir, Service.S3, 'GLACIER_IR storage (packs, billed 90 d)').quantity).toBeCloseTo(1810.491085, 4);
  });

  test('packing drops the unpacked storage lines and keeps every recording request', () => {
    expect(e.lines.some((l) => l.item === 'Standard storage')).toBe(false);
    expect(line(e, Service.S3, 'PUT requests', Phase.RECORDING).quantity).toBe(432_720);
    expect(() => camrecCost(packed, counts, prices)).toThrow(/no compaction counts/);
  });
});
