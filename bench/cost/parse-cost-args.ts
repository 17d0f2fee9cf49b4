import { CostArgsError } from './cost-errors.ts';
import { ColdStorageClass, ContentKeySpec, DEFAULT_SCENARIO, type CostScenario } from './cost-scenario.ts';
import { PackChoice, PackClass, type PackingScenario } from './packing-cost.ts';

/** Flags of `npm run cost -- ...`, each with the scenario field it sets. */
export const COST_FLAGS = {
  '--bitrate-mbps': 'media bitrate in Mbit/s (video + audio)',
  '--retention-days': 'days of footage kept',
  '--segment-seconds': 'segment duration in seconds (device default 2)',
  '--key-rotation-seconds': 'seconds between content keys (default 3600)',
  '--events-per-day': 'event records per camera per day (default 24)',
  '--viewing-hours': 'hours watched per camera-month (default 30, i.e. 1 h/day)',
  '--session-minutes': 'average playback session length (default 10)',
  '--cameras-per-deployment': 'cameras sharing the KMS key and token secret (default 100)',
  '--pack-class': `packs' storage class: ${Object.values(PackClass).join(' | ')} | cheapest (default) | cheapest-one-zone (the stack's opt-in singleZonePacks: One Zone-IA allowed) | none (unpacked: every segment in Standard)`,
  '--hot-hours': "hours a recorded byte stays hot in S3 Standard (default 12.8: to the hour's end, grace, sweep, 12 h 5 min drain)",
  '--history-share': 'share of viewing read from packs, 0..1 (default 0.5; the rest is live or recent)',
  '--transition-days': 'unpacked only: move segments to --cold-class after this many days',
  '--cold-class': `${Object.values(ColdStorageClass).join(' | ')} (default STANDARD_IA)`,
  '--key-spec': `KMS content key: ${Object.values(ContentKeySpec).join(' | ')} (default RSA_2048, as lib/ creates it)`,
  '--help': 'print this help',
} as const;

export interface CostArgs {
  /** One scenario to break down, or undefined to print the default grid. */
  readonly single: boolean;
  readonly help: boolean;
  /** The scenario: defaults, overridden by the flags given. */
  readonly scenario: CostScenario;
  /** True when --segment-seconds was given (the grid then uses only that length). */
  readonly segmentSecondsGiven: boolean;
}

interface NumberRule {
  readonly integer?: boolean;
  readonly allowZero?: boolean;
}

/** A finite number > 0 (or >= 0 with allowZero), whole when asked. */
function numberFlag(flag: string, raw: string | undefined, problems: string[], rule: NumberRule = {}): number | undefined {
  const v = Number(raw);
  const ok = raw !== undefined && raw.trim() !== '' && Number.isFinite(v) && (rule.allowZero ? v >= 0 : v > 0) && (!rule.integer || Number.isInteger(v));
  if (!ok) {
    problems.push(`${flag} ${JSON.stringify(raw ?? '')}: must be a ${rule.integer ? 'whole ' : ''}number ${rule.allowZero ? '>= 0' : '> 0'}`);
    return undefined;
  }
  return v;
}

/** Parses `--flag value` pairs; collects every problem and throws once. */
export function parseCostArgs(argv: readonly string[]): CostArgs {
  const problems: string[] = [];
  const s: { -readonly [K in keyof CostScenario]: CostScenario[K] } = { ...DEFAULT_SCENARIO };
  let single = false;
  let help = false;
  let segmentSecondsGiven = false;
  let transitionDays: number | undefined;
  let packing: PackingScenario | undefined = DEFAULT_SCENARIO.packing;
  let coldClass: ColdStorageClass = ColdStorageClass.STANDARD_IA;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--help' || flag === '-h') {
      help = true;
      continue;
    }
    if (!(flag in COST_FLAGS)) {
      problems.push(`unknown flag ${JSON.stringify(flag)}: use one of ${Object.keys(COST_FLAGS).join(', ')}`);
      if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) i++; // skip its value
      continue;
    }
    const raw = argv[++i];
    switch (flag) {
      case '--bitrate-mbps':
        s.bitrateMbps = numberFlag(flag, raw, problems) ?? s.bitrateMbps;
        single = true;
        break;
      case '--retention-days':
        s.retentionDays = numberFlag(flag, raw, problems) ?? s.retentionDays;
        single = true;
        break;
      case '--segment-seconds':
        s.segmentSeconds = numberFlag(flag, raw, problems) ?? s.segmentSeconds;
        segmentSecondsGiven = true;
        break;
      case '--key-rotation-seconds':
        s.keyRotationSeconds = numberFlag(flag, raw, problems) ?? s.keyRotationSeconds;
        break;
      case '--events-per-day':
        s.eventsPerDay = numberFlag(flag, raw, problems, { allowZero: true }) ?? s.eventsPerDay;
        break;
      case '--viewing-hours':
        s.viewingHoursPerMonth = numberFlag(flag, raw, problems, { allowZero: true }) ?? s.viewingHoursPerMonth;
        break;
      case '--session-minutes':
        s.viewingSessionMinutes = numberFlag(flag, raw, problems) ?? s.viewingSessionMinutes;
        break;
      case '--cameras-per-deployment':
        s.camerasPerDeployment = numberFlag(flag, raw, problems, { integer: true }) ?? s.camerasPerDeployment;
        break;
      case '--transition-days':
        transitionDays = numberFlag(flag, raw, problems);
        packing = undefined;
        break;
      case '--pack-class':
        if (raw === 'none') packing = undefined;
        else if (raw !== undefined && ([...Object.values(PackChoice), ...Object.values(PackClass)] as string[]).includes(raw))
          packing = { ...DEFAULT_SCENARIO.packing!, ...packing, storageClass: raw as PackingScenario['storageClass'] };
        else problems.push(`--pack-class ${JSON.stringify(raw ?? '')}: must be ${Object.values(PackClass).join(', ')}, cheapest, cheapest-one-zone or none`);
        break;
      case '--hot-hours': {
        const v = numberFlag(flag, raw, problems);
        if (v !== undefined && packing) packing = { ...packing, hotHours: v };
        break;
      }
      case '--history-share': {
        const v = numberFlag(flag, raw, problems, { allowZero: true });
        if (v !== undefined && v > 1) problems.push(`--history-share ${raw}: must be from 0 to 1`);
        else if (v !== undefined && packing) packing = { ...packing, historyViewingShare: v };
        break;
      }
      case '--cold-class':
        if (raw === ColdStorageClass.STANDARD_IA || raw === ColdStorageClass.GLACIER_IR) coldClass = raw;
        else problems.push(`--cold-class ${JSON.stringify(raw ?? '')}: must be ${Object.values(ColdStorageClass).join(' or ')}`);
        break;
      case '--key-spec':
        if (raw !== undefined && raw in ContentKeySpec) s.contentKeySpec = raw as ContentKeySpec;
        else problems.push(`--key-spec ${JSON.stringify(raw ?? '')}: must be ${Object.values(ContentKeySpec).join(', ')}`);
        break;
    }
  }
  if (transitionDays !== undefined) s.lifecycle = { transitionAfterDays: transitionDays, toClass: coldClass };
  s.packing = packing;
  if (problems.length) throw new CostArgsError(`npm run cost: ${problems.join('; ')}. Run npm run cost -- --help for the flags.`);
  return { single, help, scenario: s, segmentSecondsGiven };
}

export function costHelp(): string {
  const rows = Object.entries(COST_FLAGS).map(([f, d]) => `  ${f.padEnd(26)} ${d}`);
  return [
    'npm run cost [-- flags]: cost per camera-month, camrec beside Kinesis Video Streams.',
    'With no --bitrate-mbps / --retention-days: a grid at 1, 2, 5 Mbps x 7, 30, 90 days.',
    'With either: the line-by-line breakdown of that one scenario.',
    '',
    ...rows,
  ].join('\n');
}
