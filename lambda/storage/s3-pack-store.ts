import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { PackStore, PackUpload, PackWrite } from './pack-store.ts';
import { isMissing } from './s3-object-store.ts';

/** DeleteObjects takes at most this many keys per request (and costs nothing: S3 does not bill DELETE). */
const DELETE_BATCH = 1000;

/** UploadPartCopy's source: `bucket/key`, the key URL-encoded per path segment. */
const copySource = (bucket: string, key: string): string => `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

/**
 * PackStore over one S3 bucket. Multipart uploads are created with the SHA-256 checksum
 * algorithm, so S3 verifies every part against the checksum sent with it (and refuses it
 * otherwise), computes one for every copied part, and answers CompleteMultipartUpload
 * with the composite checksum of exactly the parts it assembled: how the compactor
 * verifies a pack it may not read.
 */
export function s3PackStore(client: S3Client, bucket: string): PackStore {
  return {
    async readObject(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return out.Body as Readable & AsyncIterable<Uint8Array>;
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },

    async putPack(key, body, checksumSha256, o: PackWrite) {
      const out = await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ChecksumSHA256: checksumSha256,
          StorageClass: o.storageClass as never,
          ContentType: o.contentType,
        }),
      );
      return out.ChecksumSHA256 ? { checksumSha256: out.ChecksumSHA256 } : {};
    },

    async startPack(key, o: PackWrite): Promise<PackUpload> {
      const created = await client.send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ChecksumAlgorithm: 'SHA256',
          StorageClass: o.storageClass as never,
          ContentType: o.contentType,
        }),
      );
      const uploadId = created.UploadId!;
      return {
        async uploadPart(partNumber, body, checksumSha256) {
          const out = await client.send(
            new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ChecksumSHA256: checksumSha256 }),
          );
          return { partNumber, etag: out.ETag!, ...(out.ChecksumSHA256 ? { checksumSha256: out.ChecksumSHA256 } : {}) };
        },
        async copyPart(partNumber, sourceKey) {
          const out = await client.send(
            new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, CopySource: copySource(bucket, sourceKey) }),
          );
          const r = out.CopyPartResult;
          return { partNumber, etag: r?.ETag ?? '', ...(r?.ChecksumSHA256 ? { checksumSha256: r.ChecksumSHA256 } : {}) };
        },
        async complete(parts) {
          const out = await client.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: {
                Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, ...(p.checksumSha256 ? { ChecksumSHA256: p.checksumSha256 } : {}) })),
              },
            }),
          );
          return out.ChecksumSHA256 ? { checksumSha256: out.ChecksumSHA256 } : {};
        },
        async abort() {
          await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
        },
      };
    },

    async deleteObjects(keys) {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = keys.slice(i, i + DELETE_BATCH);
        const out = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
        const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
        if (failed.length)
          throw new Error(
            `S3 did not delete ${failed.length} of ${batch.length} hot objects, e.g. ${failed[0]!.Key}: ${failed[0]!.Code} ${failed[0]!.Message}`,
          );
      }
    },
  };
}
