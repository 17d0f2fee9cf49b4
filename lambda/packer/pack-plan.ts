import { createHash } from 'node:crypto';
import { MAX_SEGMENTS_PER_PACK, PackKind, type SegmentItem } from '../../contract/index.ts';

/** S3's smallest part except the last: 5 MiB. */
export const S3_MIN_PART_BYTES = 5 * 1024 * 1024;

export interface PartSizing {
  /** Smallest part the compactor makes (>= S3_MIN_PART_BYTES against S3). @default 8 MiB */
  readonly minPartBytes: number;
  /** Largest part, and so (twice) the compactor's part buffers. @default 64 MiB */
  readonly maxPartBytes: number;
  /** Parts an hour is cut into when min and max allow: every part is one PUT-class request at the pack's class. @default 16 */
  readonly targetParts: number;
}

/** An hour at 2 Mbit/s (0.94 GB) is 16 parts of 59 MB: 18 PUT-class requests, $0.13 a camera-month in Standard-IA. */
export const DEFAULT_PART_SIZING: PartSizing = { minPartBytes: 8 * 1024 * 1024, maxPartBytes: 64 * 1024 * 1024, targetParts: 16 };

/**
 * Bytes per part for a pack of `totalBytes`. Segments are far below S3's 5 MiB part
 * minimum (a 6 s segment at 2 Mbit/s is 1.5 MB), so one part per segment is impossible;
 * parts are cut from the concatenation instead, as few as `targetParts` allows within
 * [min, max], because each part is a PUT-class request billed at the cold class's rate.
 */
export function partBytesFor(totalBytes: number, s: PartSizing = DEFAULT_PART_SIZING): number {
  return Math.min(s.maxPartBytes, Math.max(s.minPartBytes, Math.ceil(totalBytes / s.targetParts)));
}

export interface PlannedPack {
  kind: PackKind;
  packNo: number;
  /** Ascending by start; the pack's bytes are theirs back to back. */
  segments: SegmentItem[];
}

/** Whether [startMs, startMs + durationMs) overlaps any of the event ranges. */
export function coveredByEvent(s: Pick<SegmentItem, 'startMs' | 'durationMs'>, events: readonly { startMs: number; endMs: number }[]): boolean {
  return events.some((e) => s.startMs < e.endMs && s.startMs + s.durationMs > e.startMs);
}

/**
 * The packs one run writes for an hour: its unpacked segments by kind (footage an event
 * covers goes to event packs when events are kept longer), at most MAX_SEGMENTS_PER_PACK
 * each, numbered on from the hour's existing packs.
 */
export function planPacks(
  candidates: readonly SegmentItem[],
  o: { firstPackNo: number; events: readonly { startMs: number; endMs: number }[]; splitEvents: boolean; maxSegments?: number },
): PlannedPack[] {
  const max = o.maxSegments ?? MAX_SEGMENTS_PER_PACK;
  const sorted = [...candidates].sort((a, b) => a.startMs - b.startMs);
  const byKind = new Map<PackKind, SegmentItem[]>([
    [PackKind.CONTINUOUS, []],
    [PackKind.EVENT, []],
  ]);
  for (const s of sorted) byKind.get(o.splitEvents && coveredByEvent(s, o.events) ? PackKind.EVENT : PackKind.CONTINUOUS)!.push(s);
  const out: PlannedPack[] = [];
  let packNo = o.firstPackNo;
  for (const [kind, segs] of byKind) {
    for (let i = 0; i < segs.length; i += max) out.push({ kind, packNo: packNo++, segments: segs.slice(i, i + max) });
  }
  return out;
}

/**
 * S3's checksum of a multipart object uploaded with SHA-256 part checksums: the SHA-256 of
 * the parts' raw checksums concatenated, in base64 (S3 shows it followed by `-{parts}`).
 */
export function compositeChecksum(partChecksums: readonly string[]): string {
  const h = createHash('sha256');
  for (const c of partChecksums) h.update(Buffer.from(c, 'base64'));
  return h.digest('base64');
}

/** Compares a stored composite checksum (`base64` or `base64-N`) with the expected one for `parts` parts. */
export function sameComposite(stored: string, expected: string, parts: number): boolean {
  const m = /^(.*?)(?:-(\d+))?$/.exec(stored)!;
  return m[1] === expected && (m[2] === undefined || Number(m[2]) === parts);
}
