import type { ObjectHead, ObjectStore } from '../../lambda/storage/object-store.ts';

/**
 * s3rver neither checks nor keeps `x-amz-checksum-sha256`. The S3 front does what S3 does
 * (refuses a body that does not match it with 400 BadDigest) and keeps the checksum beside
 * the object as this user metadata, which it never shows a client: through the front a
 * HEAD or GET with `x-amz-checksum-mode: ENABLED` gets it back as `x-amz-checksum-sha256`,
 * as from S3. Local code that reads s3rver directly wraps its store with
 * `withFrontChecksums` to see the same.
 */
export const FRONT_CHECKSUM_META = 'camrec-front-checksum-sha256';
export const FRONT_CHECKSUM_HEADER = `x-amz-meta-${FRONT_CHECKSUM_META}`;

/** An ObjectStore over s3rver whose heads carry the checksum the front kept, as S3's would. */
export function withFrontChecksums(store: ObjectStore): ObjectStore {
  return {
    ...store,
    async head(key): Promise<ObjectHead | undefined> {
      const head = await store.head(key);
      if (!head) return head;
      const { [FRONT_CHECKSUM_META]: checksum, ...metadata } = head.metadata;
      return { ...head, metadata, ...(checksum ? { checksumSha256: checksum } : {}) };
    },
  };
}
