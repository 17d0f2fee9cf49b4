import type { CostComparison } from './cost-model.ts';
import type { CostScenario } from './cost-scenario.ts';
import { Phase, usdByPhase, type CostEstimate } from './cost-units.ts';
import type { TargetVerdict } from './cost-targets.ts';

export const usd = (v: number, decimals = 2): string => `$${v.toFixed(decimals)}`;
const ratio = (v: number): string => `${v.toFixed(2)}x`;

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAlignFrom = 2): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const cell = (v: string, c: number) => (c >= rightAlignFrom ? v.padStart(widths[c]!) : v.padEnd(widths[c]!));
  const line = (r: readonly string[]) => `| ${r.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c >= rightAlignFrom ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * The grid: one row per (bitrate, retention); camrec total (packed history in its
 * cheapest class) and its parts (recording = PUTs + indexing + compaction, storage,
 * viewing + fixed), camrec without packing (every segment kept hot, as before), KVS,
 * and camrec / KVS. A Markdown table, so it drops into the README as printed.
 */
export function formatGrid(rows: readonly { comparison: CostComparison; unpacked?: CostComparison }[]): string {
  const header = ['bitrate', 'retention', 'camrec', 'pack class', 'recording', 'storage', 'viewing+fixed', 'unpacked', 'KVS', 'camrec / KVS'];
  const body = rows.map(({ comparison: c, unpacked: u }) => [
    `${c.scenario.bitrateMbps} Mbps`,
    `${c.scenario.retentionDays} d`,
    usd(c.camrec.totalUsd),
    (c.camrec as { packClass?: string }).packClass ?? '-',
    usd(usdByPhase(c.camrec, Phase.RECORDING)),
    usd(usdByPhase(c.camrec, Phase.STORAGE)),
    usd(usdByPhase(c.camrec, Phase.VIEWING) + usdByPhase(c.camrec, Phase.FIXED)),
    u ? usd(u.camrec.totalUsd) : '-',
    usd(c.kvs.totalUsd),
    ratio(c.camrec.totalUsd / c.kvs.totalUsd),
  ]);
  return table(header, body);
}

export function formatTargets(verdicts: readonly TargetVerdict[]): string {
  const lines: string[] = [];
  for (const v of verdicts) {
    lines.push(
      `${v.bitrateMbps} Mbps, ${v.retentionDays} d: camrec ${usd(v.camrecUsd)} (${v.packClass ?? 'unpacked'}) vs KVS ${usd(v.kvsUsd)} = ${ratio(v.share)} (target at most ${ratio(v.maxShareOfKvs)}): ${v.met ? 'met' : 'MISSED'}`,
    );
    for (const w of v.wouldTake) lines.push(`    it would take: ${w}`);
  }
  return lines.join('\n');
}

const quantity = (q: number): string => (q >= 100 ? Math.round(q).toLocaleString('en-US') : q >= 1 ? q.toFixed(2) : q.toPrecision(3));

export function formatBreakdown(name: string, e: CostEstimate): string {
  const rows = e.lines.map((l) => [l.service, l.phase, l.item, `${quantity(l.quantity)} ${l.unit}`, usd(l.usd, 4)]);
  rows.push(['total', '', '', '', usd(e.totalUsd, 2)]);
  return `${name}\n${table(['service', 'phase', 'item', 'quantity / month', 'USD'], rows, 3)}`;
}

export function describeScenario(s: CostScenario): string {
  return [
    `${s.segmentSeconds} s segments`,
    `key rotation every ${s.keyRotationSeconds} s`,
    `${s.eventsPerDay} events/day`,
    `${s.viewingHoursPerMonth} h watched/month in ${s.viewingSessionMinutes}-min sessions`,
    `KMS key ${s.contentKeySpec}`,
    `fixed costs shared by ${s.camerasPerDeployment} cameras`,
    s.packing
      ? `history packed per camera-hour (${s.packing.storageClass === 'cheapest' ? 'cheapest class' : s.packing.storageClass}), hot copies kept ${s.packing.hotHours.toFixed(1)} h, ${Math.round(s.packing.historyViewingShare * 100)}% of viewing from packs`
      : s.lifecycle
        ? `segments to ${s.lifecycle.toClass} after ${s.lifecycle.transitionAfterDays} d`
        : 'unpacked: every segment in S3 Standard',
  ].join(', ');
}
