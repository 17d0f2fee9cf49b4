import { GetObjectCommand, HeadObjectCommand, NotFound, NoSuchKey, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isSha256Base64 } from '../../contract/index.ts';
import { ObjectTooLargeError, type ObjectHead, type ObjectStore, type Presigner } from './object-store.ts';

/** A 404 from S3 (NotFound for HEAD, NoSuchKey for GET). */
export const isMissing = (e: unknown): boolean =>
  e instanceof NotFound ||
  e instanceof NoSuchKey ||
  (e instanceof S3ServiceException && (e.$metadata?.httpStatusCode === 404 || e.name === 'NotFound' || e.name === 'NoSuchKey'));

/** ObjectStore and Presigner over one S3 bucket (or s3rver with forcePathStyle). */
export function s3ObjectStore(client: S3Client, bucket: string): ObjectStore & Presigner {
  return {
    async head(key): Promise<ObjectHead | undefined> {
      try {
        // ChecksumMode ENABLED: S3 returns the x-amz-checksum-sha256 it verified at upload.
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
        const head: ObjectHead = { metadata: out.Metadata ?? {}, sizeBytes: out.ContentLength ?? 0 };
        if (out.ContentType) head.contentType = out.ContentType;
        if (out.LastModified) head.lastModifiedMs = out.LastModified.getTime();
        if (out.ChecksumSHA256 && isSha256Base64(out.ChecksumSHA256)) head.checksumSha256 = out.ChecksumSHA256;
        return head;
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },
    async getBytes(key, maxBytes) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if ((out.ContentLength ?? 0) > maxBytes) {
          await out.Body?.transformToByteArray().catch(() => undefined);
          throw new ObjectTooLargeError(key, out.ContentLength ?? 0, maxBytes);
        }
        return (await out.Body?.transformToByteArray()) ?? new Uint8Array();
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },
    // A Range stays a header and is signed (X-Amz-SignedHeaders=host;range).
    presignGet: (key, expiresInSeconds, range) =>
      getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: range } : {}) }), { expiresIn: expiresInSeconds }),
  };
}
