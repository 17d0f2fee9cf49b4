import { LocalUsageError } from '../local-error.ts';

/** How local mode packs history: the cloud's compactor with a short "hour" so a try-out shows it. */
export interface LocalPacking {
  /** The pack "hour". */
  readonly periodMs: number;
  /** A period is packed this long after it ends. */
  readonly graceMs: number;
  /** Hot copies are deleted this long after their pack. */
  readonly drainMs: number;
  /** How often the sweep looks for due periods. */
  readonly sweepMs: number;
}

/** `camrec local` packs footage about this old by default (`--pack-after 2m`). */
export const DEFAULT_PACK_AFTER_MS = 2 * 60 * 1000;

/**
 * `--pack-after D`: footage is packed once it is about D old. The period is D/2 and the
 * grace D/4, so a segment is packed between D/4 and 3D/4 (plus a sweep) after its period
 * ends; hot copies go D after their pack; the sweep runs every D/8 (at most 15 s). The
 * cloud packs whole hours 10 minutes after they end and deletes hot copies 12 h 5 min
 * after their pack (the longest session plus slack).
 */
export function localPacking(packAfterMs: number): LocalPacking {
  return { periodMs: packAfterMs / 2, graceMs: packAfterMs / 4, drainMs: packAfterMs, sweepMs: Math.min(15_000, packAfterMs / 8) };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Reads `90s`, `2m`, `1h` (or `off`: undefined); throws LocalUsageError naming the rule. */
export function parsePackAfter(raw: string): number | undefined {
  if (raw === 'off') return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(raw.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : Number.NaN;
  // Whole milliseconds for every derived interval: D a multiple of 8 ms.
  if (!(ms >= 8_000 && ms <= 7_200_000) || ms % 8 !== 0)
    throw new LocalUsageError(`--pack-after ${JSON.stringify(raw)} must be a duration from 8s to 2h, like 90s, 2m or 1h (or off)`);
  return ms;
}
