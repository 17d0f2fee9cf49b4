import { compareCosts } from './cost-model.ts';
import type { CostScenario } from './cost-scenario.ts';
import type { Prices } from './cost-units.ts';
import { PackChoice, PackClass, classPrices } from './packing-cost.ts';
import type { RequestCounts } from './request-counts.ts';

/** The targets: camrec at most this share of KVS's cost per camera-month. */
export const COST_TARGETS = [
  { bitrateMbps: 2, retentionDays: 30, maxShareOfKvs: 0.6 },
  { bitrateMbps: 2, retentionDays: 90, maxShareOfKvs: 0.3 },
  { bitrateMbps: 1, retentionDays: 30, maxShareOfKvs: 0.8 },
] as const;

/** The longest segment the agent makes (device/config segmentSeconds 1..10). */
export const MAX_SEGMENT_SECONDS = 10;

export interface TargetVerdict {
  bitrateMbps: number;
  retentionDays: number;
  maxShareOfKvs: number;
  camrecUsd: number;
  kvsUsd: number;
  share: number;
  packClass: string | undefined;
  met: boolean;
  /** When missed: what would meet it, each with everything else unchanged. */
  wouldTake: string[];
}

/** Checks each target for `base` and, for a missed one, works out what it would take. */
export function checkTargets(base: CostScenario, counts: RequestCounts, p: Prices): TargetVerdict[] {
  return COST_TARGETS.map((t) => {
    const s: CostScenario = { ...base, bitrateMbps: t.bitrateMbps, retentionDays: t.retentionDays };
    const c = compareCosts(s, counts, p);
    const share = c.camrec.totalUsd / c.kvs.totalUsd;
    const v: TargetVerdict = {
      ...t,
      camrecUsd: c.camrec.totalUsd,
      kvsUsd: c.kvs.totalUsd,
      share,
      packClass: c.camrec.packClass,
      met: share <= t.maxShareOfKvs,
      wouldTake: [],
    };
    if (v.met) return v;
    const over = c.camrec.totalUsd - t.maxShareOfKvs * c.kvs.totalUsd;
    // 1. A cheaper storage price for the class in use (storage is linear in it).
    const cls = (c.camrec.packClass ?? PackClass.STANDARD_IA) as PackClass;
    const storageLine = c.camrec.lines.find((l) => l.item.startsWith(`${cls} storage`));
    if (storageLine && storageLine.quantity > 0) {
      const price = classPrices(cls, p).storagePerGibMonth;
      const needed = price - over / storageLine.quantity;
      v.wouldTake.push(
        needed > 0
          ? `${cls} storage at $${needed.toFixed(4)}/GB-month instead of $${price} (${((1 - needed / price) * 100).toFixed(0)}% less)`
          : `more than free ${cls} storage: the rest alone is over the target`,
      );
    }
    // 2. Longer segments (fewer PUTs and index writes), up to what the agent makes.
    let found: number | undefined;
    for (let sec = base.segmentSeconds + 0.5; sec <= MAX_SEGMENT_SECONDS + 1e-9; sec += 0.5) {
      const r = compareCosts({ ...s, segmentSeconds: sec }, counts, p);
      if (r.camrec.totalUsd / r.kvs.totalUsd <= t.maxShareOfKvs) {
        found = sec;
        break;
      }
    }
    v.wouldTake.push(
      found !== undefined ? `${found} s segments instead of ${base.segmentSeconds} s` : `not even ${MAX_SEGMENT_SECONDS} s segments (the agent's longest)`,
    );
    // 3. The stack's opt-in singleZonePacks (One Zone-IA: one Availability Zone, less durable than the default).
    if (s.packing && s.packing.storageClass === PackChoice.CHEAPEST) {
      const oz = compareCosts({ ...s, packing: { ...s.packing, storageClass: PackChoice.CHEAPEST_ONE_ZONE } }, counts, p);
      const ozShare = oz.camrec.totalUsd / oz.kvs.totalUsd;
      v.wouldTake.push(
        `the opt-in singleZonePacks: true (packs in ${oz.camrec.packClass ?? PackClass.ONEZONE_IA}, one AZ) comes to ${ozShare.toFixed(2)}x: ${ozShare <= t.maxShareOfKvs ? 'met' : 'still missed'}`,
      );
    }
    return v;
  });
}
