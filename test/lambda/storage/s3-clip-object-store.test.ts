import { randomBytes } from 'node:crypto';
import { GetObjectCommand, type S3Client, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_PART_BYTES, s3ClipObjectStore } from '../../../lambda/storage/s3-clip-object-store.ts';
import { startS3rver, type RunningS3rver } from '../../../local/emulators/start-s3rver.ts';

const BUCKET = 'camrec-clip-sse';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9';

interface Sent {
  command: string;
  headers: Record<string, string>;
}

/**
 * Records every request the AWS SDK puts on the wire for this client: the command and its
 * HTTP headers after signing (the last middleware before the request is sent). s3rver
 * ignores SSE headers, so this is where they are checked.
 */
function recordRequests(client: S3Client): Sent[] {
  const sent: Sent[] = [];
  const record: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => async (args) => {
    const request = args.request as { headers: Record<string, string> };
    sent.push({ command: String(context.commandName), headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])) });
    return next(args);
  };
  client.middlewareStack.addRelativeTo(record, { name: 'recordSentHeaders', relation: 'after', toMiddleware: 'awsAuthMiddleware' });
  return sent;
}

const signedHeaders = (s: Sent): string[] => /SignedHeaders=([^,]+)/.exec(s.headers.authorization ?? '')?.[1]?.split(';') ?? [];
const SSE_HEADERS = ['x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-server-side-encryption-bucket-key-enabled'];

describe('clip objects are written SSE-KMS with the clips key (the AWS SDK request headers, against s3rver)', () => {
  let s3: RunningS3rver;
  let client: S3Client;
  let sent: Sent[];
  const mp4 = randomBytes(MIN_PART_BYTES + 123_456);

  beforeAll(async () => {
    s3 = await startS3rver({ bucketName: BUCKET });
    client = s3.createClient();
    sent = recordRequests(client);
    const store = s3ClipObjectStore(client, BUCKET, { kmsKeyId: KEY_ARN, partBytes: MIN_PART_BYTES });
    const upload = await store.startUpload('clips/cam/1764600000000-0a1b2c3d/clip.mp4', 'video/mp4');
    await upload.write(mp4);
    await upload.complete();
    await store.putJson('clips/cam/1764600000000-0a1b2c3d/manifest.json', { version: 1 });
  }, 60_000);
  afterAll(async () => s3?.close());

  it('CreateMultipartUpload (the MP4) and PutObject (its JSON) ask for aws:kms with the clips key and an S3 Bucket Key, signed', () => {
    const writes = sent.filter((s) => s.command === 'CreateMultipartUploadCommand' || s.command === 'PutObjectCommand');
    expect(writes.map((s) => s.command)).toEqual(['CreateMultipartUploadCommand', 'PutObjectCommand']);
    for (const w of writes) {
      expect(w.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(w.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(KEY_ARN);
      expect(w.headers['x-amz-server-side-encryption-bucket-key-enabled']).toBe('true');
      // S3 refuses x-amz-* headers a signature does not cover.
      expect(signedHeaders(w)).toEqual(expect.arrayContaining(SSE_HEADERS));
    }
  });

  it('the parts carry no SSE headers (S3 takes them on CreateMultipartUpload only), and the MP4 arrives whole', async () => {
    const parts = sent.filter((s) => s.command === 'UploadPartCommand');
    expect(parts).toHaveLength(2);
    for (const p of parts) for (const h of SSE_HEADERS) expect(p.headers[h]).toBeUndefined();
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'clips/cam/1764600000000-0a1b2c3d/clip.mp4' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(mp4)).toBe(true);
  });

  it('without a key (local mode) nothing asks for SSE-KMS: the bucket default applies', async () => {
    const before = sent.length;
    await s3ClipObjectStore(client, BUCKET).putJson('clips/cam/1764600000000-0a1b2c3d/error.json', { version: 1 });
    const put = sent.slice(before).find((s) => s.command === 'PutObjectCommand')!;
    for (const h of SSE_HEADERS) expect(put.headers[h]).toBeUndefined();
  });
});
