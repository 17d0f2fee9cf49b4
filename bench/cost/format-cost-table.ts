import { Phase, usdByPhase, type CostComparison, type CostEstimate, type CostScenario } from './cost-model.ts';

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
 * The grid: one row per (bitrate, retention); camrec total and its parts (recording =
 * PUTs + indexing, storage, viewing + fixed), KVS total, KVS / camrec. A Markdown table,
 * so it drops into the README as printed.
 */
export function formatGrid(rows: readonly { comparison: CostComparison; withLifecycle?: CostComparison }[]): string {
  const header = ['bitrate', 'retention', 'camrec', 'recording', 'storage', 'viewing+fixed', 'camrec, IA after 30 d', 'KVS', 'KVS / camrec'];
  const body = rows.map(({ comparison: c, withLifecycle: l }) => [
    `${c.scenario.bitrateMbps} Mbps`,
    `${c.scenario.retentionDays} d`,
    usd(c.camrec.totalUsd),
    usd(usdByPhase(c.camrec, Phase.RECORDING)),
    usd(usdByPhase(c.camrec, Phase.STORAGE)),
    usd(usdByPhase(c.camrec, Phase.VIEWING) + usdByPhase(c.camrec, Phase.FIXED)),
    l ? usd(l.camrec.totalUsd) : '-',
    usd(c.kvs.totalUsd),
    ratio(c.kvsOverCamrec),
  ]);
  return table(header, body);
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
    s.lifecycle ? `segments to ${s.lifecycle.toClass} after ${s.lifecycle.transitionAfterDays} d` : 'all in S3 Standard',
  ].join(', ');
}
