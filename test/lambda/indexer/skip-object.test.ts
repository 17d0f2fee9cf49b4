import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readSmallJson, SkipObject } from '../../../lambda/indexer/skip-object.ts';
import { ObjectTooLargeError } from '../../../lambda/storage/object-store.ts';
import { s3ObjectStore } from '../../../lambda/storage/s3-object-store.ts';
import { startS3rver, type RunningS3rver } from '../../../local/emulators/start-s3rver.ts';

const BUCKET = 'camrec-skip';
let s3: RunningS3rver;

beforeAll(async () => {
  s3 = await startS3rver({ bucketName: BUCKET });
}, 60_000);
afterAll(() => s3?.close());

describe('readSmallJson: the indexer skips what it must not read, by error class', () => {
  test('an object over the limit in S3 (s3rver) is an ObjectTooLargeError with its sizes, and the indexer skips it', async () => {
    const client = s3.createClient();
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'events/cam-1/big.json', Body: JSON.stringify({ pad: 'x'.repeat(5000) }) }));
    const store = s3ObjectStore(client, BUCKET);
    const err = await store.getBytes('events/cam-1/big.json', 1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectTooLargeError);
    expect(err).toMatchObject({ key: 'events/cam-1/big.json', maxBytes: 1024 });
    expect((err as ObjectTooLargeError).sizeBytes).toBeGreaterThan(5000);
    await expect(readSmallJson(store, 'events/cam-1/big.json', 1024, 'event record')).rejects.toThrow(new SkipObject('event record over 1024 bytes'));
  });

  test('any other failure is not mistaken for a skip, whatever its message says', async () => {
    const failing = {
      getBytes: async () => {
        throw new Error('connection reset: read over the network failed');
      },
    };
    const err = await readSmallJson(failing, 'events/cam-1/e.json', 1024, 'event record').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(SkipObject);
    expect((err as Error).message).toMatch(/connection reset/);
  });

  test('a missing object and a body that is not JSON are skipped with the reason', async () => {
    await expect(readSmallJson({ getBytes: async () => undefined }, 'k', 10, 'heartbeat')).rejects.toThrow(new SkipObject('object no longer exists'));
    await expect(readSmallJson({ getBytes: async () => new TextEncoder().encode('{') }, 'k', 10, 'heartbeat')).rejects.toThrow(
      new SkipObject('heartbeat is not JSON'),
    );
  });
});
