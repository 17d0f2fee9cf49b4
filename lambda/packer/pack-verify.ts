import { createHash } from 'node:crypto';
import type { PackStore } from '../storage/pack-store.ts';
import type { AssembledPack } from './pack-assembly.ts';
import { PackIntegrityError } from './packer-errors.ts';
import { compositeChecksum, sameComposite } from './pack-plan.ts';

/**
 * How a written pack is verified before any hot copy may go. Either way every segment's
 * bytes matched the SHA-256 the indexer recorded for it when they were read.
 * - `checksums` (S3): S3 checked every part against the SHA-256 sent with it (a copied
 *   part: S3 computed it, equal to the segment's recorded checksum) and answered the
 *   PutObject or CompleteMultipartUpload with the checksum of the object it made: it must
 *   be the one of exactly these parts (the whole body's SHA-256, or the composite of the
 *   parts'), so the object is these bytes, of their summed length. The compactor needs no
 *   permission to read packs. A store that answers without checksums fails.
 * - `read-back` (a store without checksums, like s3rver in local mode): the pack is read
 *   and every segment's byte range hashed and compared with its checksum, and its length.
 */
export const VerifyMode = { CHECKSUMS: 'checksums', READ_BACK: 'read-back' } as const;
export type VerifyMode = (typeof VerifyMode)[keyof typeof VerifyMode];

function verifyByChecksums(key: string, pack: AssembledPack): void {
  if (!pack.storedChecksum) throw new PackIntegrityError(`${key}: the store answered without a SHA-256 for the pack; cannot verify it without reading it`);
  for (const p of pack.parts) {
    if (p.storedChecksum !== p.checksumSha256)
      throw new PackIntegrityError(`${key}: part ${p.partNumber} was stored with ${p.storedChecksum ?? 'no checksum'}, expected ${p.checksumSha256}`);
  }
  if (pack.parts.length === 0) {
    if (pack.storedChecksum !== pack.wholeChecksum)
      throw new PackIntegrityError(`${key}: the store's SHA-256 ${pack.storedChecksum} is not the pack's ${pack.wholeChecksum}`);
    return;
  }
  const expected = compositeChecksum(pack.parts.map((p) => p.checksumSha256));
  if (!sameComposite(pack.storedChecksum, expected, pack.parts.length))
    throw new PackIntegrityError(`${key}: the store's composite checksum ${pack.storedChecksum} is not ${expected}-${pack.parts.length}`);
}

async function verifyByReadBack(store: PackStore, key: string, pack: AssembledPack, lengths: readonly number[]): Promise<void> {
  const body = await store.readObject(key);
  if (!body) throw new PackIntegrityError(`${key}: the pack just written is not there`);
  let seg = 0;
  let left = lengths[0] ?? 0;
  let h = createHash('sha256');
  let total = 0;
  const close = () => {
    const got = h.digest('base64');
    if (got !== pack.segmentChecksums[seg])
      throw new PackIntegrityError(`${key}: segment ${seg} of the pack reads back as ${got}, expected ${pack.segmentChecksums[seg]}`);
    seg++;
    left = lengths[seg] ?? 0;
    h = createHash('sha256');
  };
  for await (const chunk of body) {
    total += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      if (seg >= lengths.length) throw new PackIntegrityError(`${key}: the pack is longer than its ${pack.totalBytes} bytes`);
      const n = Math.min(left, chunk.length - at);
      h.update(chunk.subarray(at, at + n));
      at += n;
      left -= n;
      if (left === 0) close();
    }
  }
  if (total !== pack.totalBytes || seg !== lengths.length) throw new PackIntegrityError(`${key}: read back ${total} bytes, the pack is ${pack.totalBytes}`);
}

/** Throws PackIntegrityError unless the store holds exactly the pack that was assembled. */
export async function verifyPack(store: PackStore, key: string, pack: AssembledPack, segmentLengths: readonly number[], mode: VerifyMode): Promise<void> {
  if (mode === VerifyMode.CHECKSUMS) verifyByChecksums(key, pack);
  else await verifyByReadBack(store, key, pack, segmentLengths);
}
