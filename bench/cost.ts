/**
 * npm run cost [-- --bitrate-mbps B --retention-days D --segment-seconds S ...]
 * Cost per camera-month of camrec beside Kinesis Video Streams, from public us-east-1
 * prices (bench/cost/prices-us-east-1.ts) and per-activity request counts (the soak's
 * measured bench/out/soak-requests.json when present, else the committed design counts).
 */
import { relative } from 'node:path';
import { CostModelError } from './cost/cost-errors.ts';
import { compareCosts } from './cost/cost-model.ts';
import type { CostScenario } from './cost/cost-scenario.ts';
import { checkTargets } from './cost/cost-targets.ts';
import { PackChoice } from './cost/packing-cost.ts';
import { describeScenario, formatBreakdown, formatGrid, formatTargets } from './cost/format-cost-table.ts';
import { livenessCost } from './cost/liveness-cost.ts';
import { picturesCost } from './cost/pictures-cost.ts';
import { loadRequestCounts } from './cost/load-request-counts.ts';
import { costHelp, parseCostArgs } from './cost/parse-cost-args.ts';
import { PRICES_US_EAST_1 as prices } from './cost/prices-us-east-1.ts';

const GRID_BITRATES_MBPS = [1, 2, 5] as const;
const GRID_RETENTION_DAYS = [7, 30, 90] as const;
/** The local demo's length, and the deployed default (PipelineDefault.SEGMENT_SECONDS, Apple's recommended HLS length). */
const GRID_SEGMENT_SECONDS = [2, 6] as const;
const DEPLOYED_SEGMENT_SECONDS = 6;

function main(argv: readonly string[]): void {
  const args = parseCostArgs(argv);
  if (args.help) {
    console.log(costHelp());
    return;
  }
  const { counts, path } = loadRequestCounts();
  console.log(`camrec cost per camera-month, ${prices.region}, prices looked up ${prices.lookedUpOn} (bench/cost/prices-us-east-1.ts)`);
  console.log(`request counts: ${relative(process.cwd(), path)} (${counts.label})`);
  console.log('month = 30 days, GB = GiB, steady state (retention already full), no free tier, first price tier.\n');

  if (args.single) {
    const c = compareCosts(args.scenario, counts, prices);
    console.log(`${args.scenario.bitrateMbps} Mbps, ${args.scenario.retentionDays} days' retention; ${describeScenario(args.scenario)}\n`);
    console.log(formatBreakdown('camrec', c.camrec));
    console.log();
    console.log(formatBreakdown('Kinesis Video Streams', c.kvs));
    console.log(
      `\ncamrec ${c.camrec.totalUsd.toFixed(2)} USD${c.camrec.packClass ? ` (packs in ${c.camrec.packClass})` : ''} vs KVS ${c.kvs.totalUsd.toFixed(2)} USD per camera-month: camrec / KVS = ${(c.camrec.totalUsd / c.kvs.totalUsd).toFixed(2)}x`,
    );
    return;
  }

  const segmentLengths = args.segmentSecondsGiven ? [args.scenario.segmentSeconds] : GRID_SEGMENT_SECONDS;
  for (const segmentSeconds of segmentLengths) {
    const base: CostScenario = { ...args.scenario, segmentSeconds };
    console.log(`${describeScenario(base)}\n`);
    const rows = GRID_BITRATES_MBPS.flatMap((bitrateMbps) =>
      GRID_RETENTION_DAYS.map((retentionDays) => {
        const s = { ...base, bitrateMbps, retentionDays };
        return { comparison: compareCosts(s, counts, prices), unpacked: s.packing ? compareCosts({ ...s, packing: undefined }, counts, prices) : undefined };
      }),
    );
    console.log(formatGrid(rows));
    console.log();
  }
  const targetBase: CostScenario = { ...args.scenario, segmentSeconds: args.segmentSecondsGiven ? args.scenario.segmentSeconds : DEPLOYED_SEGMENT_SECONDS };
  console.log(`Targets (camrec at most this share of KVS), ${targetBase.segmentSeconds} s segments:`);
  console.log(formatTargets(checkTargets(targetBase, counts, prices)));
  if (targetBase.packing?.storageClass === PackChoice.CHEAPEST) {
    console.log(
      `\nThe same targets with the stack's opt-in singleZonePacks: true (packs in One Zone-IA where cheapest: one Availability Zone, see the README):`,
    );
    console.log(formatTargets(checkTargets({ ...targetBase, packing: { ...targetBase.packing, storageClass: PackChoice.CHEAPEST_ONE_ZONE } }, counts, prices)));
  }
  console.log();
  console.log(
    'recording = S3 PUTs + indexer (Lambda, DynamoDB) + compactor; storage = S3 (hot hours in Standard, packs in their class) + index; viewing = API, Lambda, KMS, S3 GETs and retrieval, data transfer out; fixed = KMS key + secret shared by the fleet.',
  );
  console.log(
    'unpacked = every segment kept as its own object in S3 Standard (camrec before packed history). KVS = ingest + storage + HLS consumed + data transfer out (KVS ingests media without MPEG-TS overhead).',
  );
  console.log(
    'Both pay the same data transfer out to viewers, and camrec pays one S3 PUT per segment: those two bound how far below KVS camrec can go. One scenario in detail: npm run cost -- --bitrate-mbps 2 --retention-days 30',
  );
  console.log();
  printLiveness(args.scenario.eventsPerDay);
  console.log();
  printPictures();
}

/** Pictures (the agent's keyframe pictures or putImage) per camera-month (bench/cost/pictures-cost.ts). */
function printPictures(): void {
  console.log('Pictures per camera-month (S3 Standard PUT, indexer, storage for the retention; a 320 px keyframe JPEG is ~15 KB):');
  console.log('| one picture every | retention | PUTs / month | PUTs | indexer | storage | total |');
  console.log('|--:|--:|--:|--:|--:|--:|--:|');
  const usd = (x: number) => `$${x.toFixed(4)}`;
  for (const [intervalSeconds, retentionDays] of [
    [60, 30],
    [60, 90],
    [10, 30],
    [300, 30],
  ] as const) {
    const c = picturesCost({ intervalSeconds, retentionDays, pictureBytes: 15 * 1024 }, prices);
    console.log(
      `| ${intervalSeconds} s${intervalSeconds === 60 ? ' (default)' : ''} | ${retentionDays} days | ${Math.round(c.picturesPerMonth).toLocaleString('en-US')} | ${usd(c.putUsd)} | ${usd(c.indexerUsd)} | ${usd(c.storageUsd)} | ${usd(c.totalUsd)} |`,
    );
  }
}

/** Offline watch, heartbeats and notifications per camera-month (bench/cost/liveness-cost.ts). */
function printLiveness(eventsPerDay: number): void {
  const notificationsPerMonth = eventsPerDay * 30 * 2;
  console.log(
    `Offline watch, heartbeats and notifications per camera-month (offline after 90 s; ${notificationsPerMonth} notifications: ${eventsPerDay} events/day, started + ended; with a webhook):`,
  );
  console.log('| camera | heartbeats / month | offline watch | heartbeats | notifications | total |');
  console.log('|---|--:|--:|--:|--:|--:|');
  const rows: [string, number, number][] = [
    ['continuous (segments are its sign of life)', 0, 45],
    ['event mode, idle, heartbeat every 45 s (default)', 1, 45],
    ['event mode, idle, heartbeat every 60 s', 1, 60],
  ];
  for (const [label, idleShare, heartbeatSeconds] of rows) {
    const c = livenessCost({ offlineAfterSeconds: 90, heartbeatSeconds, idleShare, notificationsPerMonth, webhook: true }, prices);
    const usd = (x: number) => `$${x.toFixed(4)}`;
    console.log(
      `| ${label} | ${Math.round(c.heartbeatsPerMonth).toLocaleString('en-US')} | ${usd(c.watchUsd)} | ${usd(c.heartbeatUsd)} | ${usd(c.notificationsUsd)} | ${usd(c.totalUsd)} |`,
    );
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  if (e instanceof CostModelError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
