import { createHash } from 'node:crypto';
import { decodePackedSegments, segmentKey, type PackItem } from '../../contract/index.ts';
import type { HistoryStore } from '../index/history-store.ts';
import type { PackStore } from '../storage/pack-store.ts';

export interface ReuploadOutcome {
  /** Hot copies deleted: the same bytes as their packed copy. */
  deleted: number;
  /** Hot copies kept: they differ from the packed copy (or it has no checksum to compare); each is reported, never deleted. */
  kept: { objectKey: string; reason: string }[];
  /** Hot objects read to compare (one GET each, also for one already gone): the cost of the check. */
  reads: number;
}

async function sha256Of(body: AsyncIterable<Uint8Array>): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of body) h.update(chunk);
  return h.digest('base64');
}

/**
 * A segment uploaded again after its pack's hot copies were deleted (the agent keeps a
 * segment until S3 confirms it, so one killed between S3's answer and its spool delete
 * PUTs it again; If-None-Match only stops that while the hot copy exists) is a second
 * copy of what the pack holds. For each start time the indexer flagged (`recheck`) that a
 * drained pack holds: no hot object, nothing to do; the same SHA-256 as the packed copy,
 * the hot copy is deleted; different bytes (or no packed checksum to compare), it is kept
 * and reported, so nothing the camera sent is ever lost silently. Playlists list the seq
 * once either way (a pack's segment wins over a hot item at the same start).
 */
export async function resolveReuploads(
  deps: { history: Pick<HistoryStore, 'packChecksums'>; store: Pick<PackStore, 'readObject' | 'deleteObjects'> },
  deviceId: string,
  recheck: ReadonlySet<number>,
  drainedPacks: readonly PackItem[],
): Promise<ReuploadOutcome> {
  const out: ReuploadOutcome = { deleted: 0, kept: [], reads: 0 };
  const redundant: string[] = [];
  for (const pack of drainedPacks) {
    if (!decodePackedSegments(pack.hourMs, pack.segs, pack.keys, pack.formats).some((s) => recheck.has(s.startMs))) continue;
    const sums = await deps.history.packChecksums(deviceId, pack.hourMs, pack.packNo, pack.digest);
    for (const s of decodePackedSegments(pack.hourMs, pack.segs, pack.keys, pack.formats, sums?.sums)) {
      if (!recheck.has(s.startMs)) continue;
      const objectKey = segmentKey({ deviceId, startMs: s.startMs, seq: s.seq, container: s.initId !== undefined ? 'fmp4' : 'ts' });
      const body = await deps.store.readObject(objectKey);
      out.reads++;
      if (!body) continue;
      const packed = s.checksumSha256;
      const hot = await sha256Of(body);
      if (packed === hot) redundant.push(objectKey);
      else
        out.kept.push({
          objectKey,
          reason:
            packed === undefined
              ? `uploaded again after pack ${pack.packNo} took it, which has no checksum to compare: kept hot`
              : `uploaded again after pack ${pack.packNo} took it, and differs from the packed copy (SHA-256 ${hot}, packed ${packed}): kept hot`,
        });
    }
  }
  if (redundant.length) await deps.store.deleteObjects(redundant);
  out.deleted = redundant.length;
  return out;
}
