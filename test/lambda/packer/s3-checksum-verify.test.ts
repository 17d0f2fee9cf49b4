import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { assemblePack, type AssemblySegment } from '../../../lambda/packer/pack-assembly.ts';
import { compositeChecksum } from '../../../lambda/packer/pack-plan.ts';
import { VerifyMode, verifyPack } from '../../../lambda/packer/pack-verify.ts';
import { PackIntegrityError } from '../../../lambda/packer/packer-errors.ts';
import { s3PackStore } from '../../../lambda/storage/s3-pack-store.ts';

/**
 * S3 has no stand-in here that keeps checksums or copies parts (s3rver does neither), so
 * the cloud path of the compactor is checked against the exact S3 calls it makes, with
 * answers computed the way S3 documents them: a part's SHA-256 verified against the one
 * sent, a copied part's computed, and the composite checksum of the completed parts.
 */
const BUCKET = 'recordings';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');
const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

function fakeS3(objects: Map<string, Buffer>, o: { tamperComplete?: boolean } = {}) {
  const parts = new Map<number, string>();
  s3.on(GetObjectCommand).callsFake((input) => {
    const body = objects.get(input.Key);
    if (!body) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return { Body: Readable.from([body.subarray(0, 7), body.subarray(7)]) as never, ContentLength: body.length };
  });
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
  s3.on(UploadPartCommand).callsFake((input) => {
    const got = sha(input.Body as Uint8Array);
    if (got !== input.ChecksumSHA256) throw Object.assign(new Error('BadDigest'), { name: 'BadDigest' });
    parts.set(input.PartNumber, got);
    return { ETag: `"e${input.PartNumber}"`, ChecksumSHA256: got };
  });
  s3.on(UploadPartCopyCommand).callsFake((input) => {
    const key = decodeURIComponent(String(input.CopySource).slice(BUCKET.length + 1));
    const got = sha(objects.get(key)!);
    parts.set(input.PartNumber, got);
    return { CopyPartResult: { ETag: `"c${input.PartNumber}"`, ChecksumSHA256: got } };
  });
  s3.on(CompleteMultipartUploadCommand).callsFake((input) => {
    const sums = input.MultipartUpload.Parts.map((p: { PartNumber: number }) => parts.get(p.PartNumber)!);
    const composite = compositeChecksum(o.tamperComplete ? sums.slice(1) : sums);
    return { ChecksumSHA256: `${composite}-${sums.length}` };
  });
  s3.on(PutObjectCommand).callsFake((input) => ({ ChecksumSHA256: sha(input.Body as Uint8Array) }));
  s3.on(AbortMultipartUploadCommand).resolves({});
}

const MIB = 1024 * 1024;
function hour(sizes: number[]): { objects: Map<string, Buffer>; segments: AssemblySegment[] } {
  const objects = new Map<string, Buffer>();
  const segments = sizes.map((n, i) => {
    const key = `segments/cam-1/2026/01/01/10/${1_767_261_600_000 + i * 6000}-${i}.ts`;
    const body = randomBytes(n);
    objects.set(key, body);
    return { objectKey: key, sizeBytes: n, checksumSha256: sha(body) };
  });
  return { objects, segments };
}

describe('the compactor against S3 (exact calls, S3-computed checksums)', () => {
  it("streams segments into SHA-256-checked parts (a whole-part segment after a short remainder is read in, not copied: S3's 5 MiB rule) and verifies from S3's answers alone", async () => {
    // Three 3 MiB segments, one of 12 MiB (a part on its own), two more: 8 MiB parts.
    const { objects, segments } = hour([3 * MIB, 3 * MIB, 3 * MIB, 12 * MIB, 3 * MIB, 1 * MIB]);
    fakeS3(objects);
    const store = s3PackStore(new S3Client({ region: 'us-east-1' }), BUCKET);
    const r = await assemblePack(store, 'packs/continuous/cam-1/x.ts', segments, {
      write: { storageClass: 'GLACIER_IR', contentType: 'video/mp2t' },
      partBytes: 8 * MIB,
      copyParts: true,
      prefetchBytes: 4 * MIB,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const create = s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input;
    expect(create).toEqual({
      Bucket: BUCKET,
      Key: 'packs/continuous/cam-1/x.ts',
      ChecksumAlgorithm: 'SHA256',
      StorageClass: 'GLACIER_IR',
      ContentType: 'video/mp2t',
    });
    const uploads = s3.commandCalls(UploadPartCommand).map((c) => c.args[0].input);
    const copies = s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    // 9 MiB of small segments make one 8 MiB part; the 1 MiB left over could not stand alone before a
    // copied part (S3's 5 MiB minimum), so the 12 MiB segment is read in after it rather than copied.
    expect(uploads.map((u) => [u.PartNumber, (u.Body as Uint8Array).length])).toEqual([
      [1, 8 * MIB],
      [2, 8 * MIB],
      [3, 8 * MIB],
      [4, 1 * MIB],
    ]);
    expect(copies).toEqual([]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload!.Parts).toEqual(
      uploads.map((u) => ({ PartNumber: u.PartNumber, ETag: `"e${u.PartNumber}"`, ChecksumSHA256: u.ChecksumSHA256 })),
    );
    await expect(
      verifyPack(
        store,
        'k',
        r.pack,
        segments.map((s) => s.sizeBytes),
        VerifyMode.CHECKSUMS,
      ),
    ).resolves.toBeUndefined();
    // Every hot segment read once, the pack never (the role may not read packs).
    expect(
      s3
        .commandCalls(GetObjectCommand)
        .map((c) => c.args[0].input.Key)
        .sort(),
    ).toEqual(segments.map((s) => s.objectKey).sort());
  });

  it('copies a segment of a whole part with UploadPartCopy when the part before it can stand alone', async () => {
    const { objects, segments } = hour([4 * MIB, 4 * MIB, 12 * MIB, 2 * MIB]);
    fakeS3(objects);
    const store = s3PackStore(new S3Client({ region: 'us-east-1' }), BUCKET);
    const r = await assemblePack(store, 'packs/continuous/cam-1/y.ts', segments, {
      write: { storageClass: 'STANDARD_IA', contentType: 'video/mp2t' },
      partBytes: 8 * MIB,
      copyParts: true,
      prefetchBytes: 4 * MIB,
    });
    expect(r.ok && r.pack.parts.map((p) => [p.partNumber, p.sizeBytes])).toEqual([
      [1, 8 * MIB],
      [2, 12 * MIB],
      [3, 2 * MIB],
    ]);
    expect(s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: 'packs/continuous/cam-1/y.ts', UploadId: 'up-1', PartNumber: 2, CopySource: `${BUCKET}/${segments[2]!.objectKey}` },
    ]);
    // The copied segment's bytes never came through: it was not read.
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).not.toContain(segments[2]!.objectKey);
    if (r.ok)
      await verifyPack(
        store,
        'k',
        r.pack,
        segments.map((s) => s.sizeBytes),
        VerifyMode.CHECKSUMS,
      );
  });

  it("fails verification when S3's composite checksum is not that of the parts sent, and when a store answers without checksums", async () => {
    const { objects, segments } = hour([4 * MIB, 4 * MIB, 4 * MIB]);
    fakeS3(objects, { tamperComplete: true });
    const store = s3PackStore(new S3Client({ region: 'us-east-1' }), BUCKET);
    const r = await assemblePack(store, 'p', segments, {
      write: { storageClass: 'STANDARD_IA', contentType: 'video/mp2t' },
      partBytes: 8 * MIB,
      copyParts: true,
      prefetchBytes: 4 * MIB,
    });
    if (!r.ok) throw new Error('expected a pack');
    await expect(
      verifyPack(
        store,
        'p',
        r.pack,
        segments.map((s) => s.sizeBytes),
        VerifyMode.CHECKSUMS,
      ),
    ).rejects.toThrow(PackIntegrityError);
    await expect(verifyPack(store, 'p', { ...r.pack, storedChecksum: undefined }, [], VerifyMode.CHECKSUMS)).rejects.toThrow(/answered without a SHA-256/);
  });

  it("a one-PUT pack carries its SHA-256, goes in the pack's storage class, and verifies by the checksum S3 answers", async () => {
    const { objects, segments } = hour([100_000, 200_000]);
    fakeS3(objects);
    const store = s3PackStore(new S3Client({ region: 'us-east-1' }), BUCKET);
    const r = await assemblePack(store, 'small', segments, {
      write: { storageClass: 'GLACIER_IR', contentType: 'video/mp2t' },
      partBytes: 8 * MIB,
      copyParts: true,
      prefetchBytes: MIB,
    });
    if (!r.ok) throw new Error('expected a pack');
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      Bucket: BUCKET,
      Key: 'small',
      StorageClass: 'GLACIER_IR',
      ChecksumSHA256: sha(Buffer.concat([objects.get(segments[0]!.objectKey)!, objects.get(segments[1]!.objectKey)!])),
    });
    await verifyPack(store, 'small', r.pack, [], VerifyMode.CHECKSUMS);
  });

  it('deletes hot objects in batches of 1,000 with one DeleteObjects each (S3 bills no DELETE)', async () => {
    s3.on(DeleteObjectsCommand).resolves({});
    const keys = Array.from({ length: 2500 }, (_, i) => `segments/cam-1/x/${i}.ts`);
    await s3PackStore(new S3Client({ region: 'us-east-1' }), BUCKET).deleteObjects(keys);
    expect(s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete!.Objects!.length)).toEqual([1000, 1000, 500]);
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: keys[3], Code: 'AccessDenied', Message: 'Access Denied' }] });
    await expect(s3PackStore(new S3Client({ region: 'us-east-1' }), BUCKET).deleteObjects(keys.slice(0, 10))).rejects.toThrow(
      /did not delete 1 of 10 .* AccessDenied/,
    );
  });
});
