import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RequestCountsError } from './cost-errors.ts';
import { requestCountsSchema, type RequestCounts } from './request-counts.ts';

/** Measured counts, written by the soak (npm run soak). */
export const SOAK_COUNTS_PATH = fileURLToPath(new URL('../out/soak-requests.json', import.meta.url));
/** Counts derived from the design, committed; used until the soak has run. */
export const DESIGN_COUNTS_PATH = fileURLToPath(new URL('./requests-per-segment.json', import.meta.url));

export interface LoadedRequestCounts {
  readonly counts: RequestCounts;
  readonly path: string;
}

export function readRequestCounts(path: string): RequestCounts {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new RequestCountsError(`cannot read request counts from ${path}: ${(cause as Error).message}. Fix or delete the file.`, path, { cause });
  }
  const parsed = requestCountsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new RequestCountsError(`request counts in ${path} are not in the expected shape (bench/cost/request-counts.ts): ${problems}`, path);
  }
  return parsed.data;
}

/**
 * The soak's measured counts when present, else the committed design counts. Counts a soak
 * wrote before packed history existed get the design's compaction counts, and say so.
 */
export function loadRequestCounts(soakPath = SOAK_COUNTS_PATH, designPath = DESIGN_COUNTS_PATH): LoadedRequestCounts {
  const path = existsSync(soakPath) ? soakPath : designPath;
  const counts = readRequestCounts(path);
  if (!counts.compaction) {
    const design = readRequestCounts(designPath);
    return { counts: { ...counts, label: `${counts.label}; compaction from the design counts`, compaction: design.compaction }, path };
  }
  return { counts, path };
}
