import { parseArgs } from 'node:util';
import type { signedFetch } from '../auth/signed-fetch.ts';
import { LocalUsageError } from '../local-error.ts';
import { readLocalInfo } from './local-info.ts';

/**
 * Where a client command (`play-url`, `clip`) sends its signed requests: the local stack
 * (credentials from DIR/local.json) or a deployed stack (--api, the default AWS chain).
 * The options, their checks and the credential lookup are written once here.
 */
export type ApiTarget = { kind: 'local'; dataDir: string } | { kind: 'deployed'; apiUrl: string; region: string };

export const API_TARGET_OPTIONS = {
  'data-dir': { type: 'string' },
  api: { type: 'string' },
  region: { type: 'string' },
} as const;

interface TargetValues {
  'data-dir'?: string | undefined;
  api?: string | undefined;
  region?: string | undefined;
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses a client command's own options with the target options and `--help` added; an
 * unknown or malformed option, and `--help` (empty message: print the usage), are usage errors.
 */
export function parseClientArgs<K extends string>(
  argv: string[],
  options: Readonly<Record<K, { readonly type: 'string' }>>,
): Partial<Record<K | keyof typeof API_TARGET_OPTIONS, string>> {
  let values: Partial<Record<K | keyof typeof API_TARGET_OPTIONS, string>> & { help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, ...API_TARGET_OPTIONS, ...HELP_OPTION }, strict: true }) as { values: typeof values });
  } catch (err) {
    throw new LocalUsageError((err as Error).message);
  }
  if (values.help) throw new LocalUsageError('');
  return values;
}

/** Adds to `problems` each of `names` that is given but not an ISO 8601 time (or, when `required`, missing). */
export function checkIsoTimes(values: Readonly<Record<string, unknown>>, names: readonly string[], required: boolean, problems: string[]): void {
  for (const name of names) {
    const v = values[name];
    if (v === undefined) {
      if (required) problems.push(`--${name} ISO is required`);
    } else if (Number.isNaN(Date.parse(String(v)))) problems.push(`--${name} ${String(v)} is not an ISO 8601 time`);
  }
}

/** Adds what is wrong with the target options to `problems`. */
export function checkApiTarget(values: TargetValues, problems: string[]): void {
  if (values.api && values['data-dir']) problems.push('give --data-dir (local) or --api (deployed), not both');
  if (values.api && !/^https?:\/\//.test(values.api)) problems.push(`--api ${values.api} must be an http(s) URL`);
  if (values.api && !values.region && !process.env.AWS_REGION) problems.push('--region is required with --api (or set AWS_REGION)');
}

/** The target of options that passed `checkApiTarget`. */
export function apiTarget(values: TargetValues): ApiTarget {
  return values.api
    ? { kind: 'deployed', apiUrl: values.api.replace(/\/+$/, ''), region: values.region ?? process.env.AWS_REGION! }
    : { kind: 'local', dataDir: values['data-dir'] ?? '.camrec' };
}

/** The API's base URL, its region and the credentials to sign with. */
export async function resolveApiTarget(
  target: ApiTarget,
): Promise<{ apiUrl: string; region: string; credentials: Parameters<typeof signedFetch>[1]['credentials'] }> {
  if (target.kind === 'local') {
    const { apiUrl, region, credentials } = await readLocalInfo(target.dataDir);
    return { apiUrl, region, credentials };
  }
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return { apiUrl: target.apiUrl, region: target.region, credentials: fromNodeProviderChain() };
}
