import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { classifyS3Error } from './classify-s3-error.ts';
import type { ObjectPutter } from './object-putter.ts';
import type { UploadItem } from './upload-item.ts';

export interface S3ObjectPutterOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint (LAN store, local S3 front). @default AWS S3 */
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity;
  /** One attempt's deadline. */
  requestTimeoutMs: number;
  /** Called when S3 says the credentials expired or are invalid. */
  onCredentialsRejected?: () => void;
  /** The device clock's error (ms ahead of true time); the SDK corrects it from S3's answers. @default 0 */
  systemClockOffsetMs?: number;
}

/**
 * PutObject with `If-None-Match: *`, Content-MD5 (checked by S3 and S3-compatible
 * stores alike), Content-Type and the design's metadata. The SDK's own retries are off
 * (`maxAttempts: 1`): the uploader retries, so it knows which attempt a 412 answers.
 * `requestChecksumCalculation: 'WHEN_REQUIRED'` keeps the body a plain byte string (no
 * aws-chunked framing), which every S3-compatible store reads.
 */
export class S3ObjectPutter implements ObjectPutter {
  readonly client: S3Client;
  constructor(private readonly o: S3ObjectPutterOptions) {
    this.client = new S3Client({
      region: o.region,
      endpoint: o.endpoint,
      forcePathStyle: o.forcePathStyle,
      credentials: o.credentials,
      maxAttempts: 1,
      systemClockOffset: o.systemClockOffsetMs ?? 0,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(item: UploadItem, body: Uint8Array, signal: AbortSignal): Promise<'created' | 'exists'> {
    const cmd = new PutObjectCommand({
      Bucket: this.o.bucket,
      Key: item.objectKey,
      Body: body,
      ContentLength: body.length,
      ContentType: item.contentType,
      ContentMD5: createHash('md5').update(body).digest('base64'),
      Metadata: { ...item.metadata },
      IfNoneMatch: '*',
    });
    try {
      await this.client.send(cmd, { abortSignal: AbortSignal.any([signal, AbortSignal.timeout(this.o.requestTimeoutMs)]) });
      return 'created';
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412) return 'exists';
      const classified = classifyS3Error(err, item.objectKey);
      if (classified.credentialsRejected) this.o.onCredentialsRejected?.();
      throw classified;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
