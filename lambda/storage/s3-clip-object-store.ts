import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ClipObjectStore, ClipUpload } from './clip-object-store.ts';
import { isMissing } from './s3-object-store.ts';

/** S3's smallest part (but the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

export interface S3ClipObjectStoreOptions {
  /** KMS key (id or ARN) every clip object is encrypted with (SSE-KMS); undefined: the bucket's default encryption (local mode). */
  kmsKeyId?: string;
  /** @default 8 MiB */
  partBytes?: number;
  /** The client download URLs are signed with (local mode: the S3 front a browser can reach). @default the store's client */
  presignClient?: S3Client;
  /**
   * Download URLs ask S3 for `Content-Disposition: attachment; filename=...` (a browser saves
   * the file under that name). Local mode turns it off: its S3 front forwards presigned GETs
   * to s3rver unsigned, and s3rver refuses response-* overrides on anonymous GETs.
   * @default true
   */
  downloadFileName?: boolean;
}

/**
 * ClipObjectStore over one bucket. Writes are SSE-KMS with the clips' key (and an S3
 * Bucket Key, so KMS is called per object, not per part). The MP4 is a multipart upload:
 * one part buffered while the one before it uploads, so memory is two parts whatever the
 * clip's length.
 */
export function s3ClipObjectStore(client: S3Client, bucket: string, o: S3ClipObjectStoreOptions = {}): ClipObjectStore {
  const partBytes = Math.max(o.partBytes ?? DEFAULT_PART_BYTES, MIN_PART_BYTES);
  const sse = o.kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: o.kmsKeyId, BucketKeyEnabled: true } : {};

  async function startUpload(key: string, contentType: string): Promise<ClipUpload> {
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType, ...sse }));
    const uploadId = created.UploadId!;
    const parts: { PartNumber: number; ETag: string }[] = [];
    let buffer = new Uint8Array(partBytes);
    let filled = 0;
    let size = 0;
    let inFlight: Promise<void> = Promise.resolve();
    const send = (body: Uint8Array) => {
      const partNumber = parts.length + 1;
      const slot = { PartNumber: partNumber, ETag: '' };
      parts.push(slot);
      const previous = inFlight;
      inFlight = (async () => {
        await previous;
        const out = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body }));
        slot.ETag = out.ETag!;
      })();
      return previous;
    };
    return {
      async write(bytes) {
        size += bytes.byteLength;
        let at = 0;
        while (at < bytes.byteLength) {
          const n = Math.min(bytes.byteLength - at, partBytes - filled);
          buffer.set(bytes.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled === partBytes) {
            // Wait for the part before the one now sent: one part in flight, one filling.
            await send(buffer);
            buffer = new Uint8Array(partBytes);
            filled = 0;
          }
        }
      },
      async complete() {
        if (filled > 0 || parts.length === 0) await send(buffer.subarray(0, filled));
        await inFlight;
        await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
        return { sizeBytes: size };
      },
      async abort() {
        await inFlight.catch(() => undefined);
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      },
    };
  }

  return {
    async readSource(key, range) {
      try {
        const out = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {}) }),
        );
        const bytes = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
        if (range && bytes.byteLength !== range.length) throw new Error(`${key}: asked for ${range.length} bytes at ${range.offset}, got ${bytes.byteLength}`);
        return bytes;
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },
    startUpload,
    async putJson(key, value) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value, null, 2), ContentType: 'application/json', ...sse }));
    },
    async getJson(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return JSON.parse((await out.Body?.transformToString()) ?? 'null') as unknown;
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },
    async list(prefix, limit, startAfter) {
      const out = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: limit, ...(startAfter ? { StartAfter: startAfter } : {}) }),
      );
      return { keys: (out.Contents ?? []).map((c) => c.Key!).filter(Boolean), truncated: out.IsTruncated === true };
    },
    async deleteObjects(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        if (batch.length) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      }
    },
    presignDownload: (key, expiresInSeconds, fileName) =>
      getSignedUrl(
        o.presignClient ?? client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(o.downloadFileName === false ? {} : { ResponseContentDisposition: `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"` }),
        }),
        { expiresIn: expiresInSeconds },
      ),
  };
}
