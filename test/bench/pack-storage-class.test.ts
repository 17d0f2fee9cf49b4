import { describe, expect, test } from 'vitest';
import { compareCosts } from '../../bench/cost/cost-model.ts';
import { DEFAULT_SCENARIO, type CostScenario } from '../../bench/cost/cost-scenario.ts';
import { readRequestCounts, DESIGN_COUNTS_PATH } from '../../bench/cost/load-request-counts.ts';
import { PRICES_US_EAST_1 as prices } from '../../bench/cost/prices-us-east-1.ts';
import { defaultPackStorageClass } from '../../lib/settings.ts';

/**
 * The stack writes packs in the class `npm run cost` finds cheapest for the retention
 * (counting minimum durations, the 128 KB minimum, retrieval and request prices). The
 * stack does not know the bitrate and the crossovers move a day or two with it (Glacier
 * IR's dearer PUTs weigh more at low bitrates), so lib's rule must pick the cheapest class
 * at 2 Mbps and never cost more than 1 % above the cheapest from 1 to 10 Mbps.
 */
describe('pack storage class by retention', () => {
  const counts = readRequestCounts(DESIGN_COUNTS_PATH);
  const cost = (s: CostScenario, storageClass: 'cheapest' | string) =>
    compareCosts({ ...s, packing: { ...DEFAULT_SCENARIO.packing!, storageClass: storageClass as never } }, counts, prices).camrec;

  test('at 2 Mbps, lib picks the class the cost model finds cheapest for every retention from 1 to 400 days', () => {
    const disagreements: string[] = [];
    for (let retentionDays = 1; retentionDays <= 400; retentionDays++) {
      const best = cost({ ...DEFAULT_SCENARIO, segmentSeconds: 6, bitrateMbps: 2, retentionDays }, 'cheapest').packClass;
      const lib = defaultPackStorageClass(retentionDays).value;
      if (best !== lib) disagreements.push(`${retentionDays} d: cost model ${best}, lib ${lib}`);
    }
    expect(disagreements).toEqual([]);
  });

  test('with the opt-in singleZonePacks, lib picks what `--pack-class cheapest-one-zone` finds cheapest at 2 Mbps, and within 1 percent at 1, 5 and 10 Mbps', () => {
    const problems: string[] = [];
    for (const bitrateMbps of [1, 2, 5, 10]) {
      for (let retentionDays = 1; retentionDays <= 400; retentionDays++) {
        const s: CostScenario = { ...DEFAULT_SCENARIO, segmentSeconds: 6, bitrateMbps, retentionDays };
        const best = cost(s, 'cheapest-one-zone');
        const libClass = defaultPackStorageClass(retentionDays, { singleZone: true }).value;
        if (bitrateMbps === 2 && best.packClass !== libClass) problems.push(`2 Mbps ${retentionDays} d: cost model ${best.packClass}, lib ${libClass}`);
        const lib = cost(s, libClass).totalUsd;
        if (lib > best.totalUsd * 1.01) problems.push(`${bitrateMbps} Mbps ${retentionDays} d: lib ${lib.toFixed(3)} vs cheapest ${best.totalUsd.toFixed(3)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test.each([1, 5, 10])("at %s Mbps, lib's class costs at most 1 percent more than the cheapest, every retention from 1 to 400 days", (bitrateMbps) => {
    const over: string[] = [];
    for (let retentionDays = 1; retentionDays <= 400; retentionDays++) {
      const s: CostScenario = { ...DEFAULT_SCENARIO, segmentSeconds: 6, bitrateMbps, retentionDays };
      const best = cost(s, 'cheapest').totalUsd;
      const lib = cost(s, defaultPackStorageClass(retentionDays).value).totalUsd;
      if (lib > best * 1.01) over.push(`${retentionDays} d: lib ${lib.toFixed(3)} vs cheapest ${best.toFixed(3)}`);
    }
    expect(over).toEqual([]);
  });
});
