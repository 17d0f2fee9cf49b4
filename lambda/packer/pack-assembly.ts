import { createHash } from 'node:crypto';
import type { PackStore, PackUpload, PackWrite, StoredPart } from '../storage/pack-store.ts';
import { PackIntegrityError } from './packer-errors.ts';
import { S3_MIN_PART_BYTES } from './pack-plan.ts';

/** A hot segment object to append, as the index recorded it. */
export interface AssemblySegment {
  objectKey: string;
  sizeBytes: number;
  /** Base64 SHA-256 the indexer recorded (S3's checksum of the camera's upload), if any. */
  checksumSha256: string | undefined;
}

export interface AssemblyOptions {
  write: PackWrite;
  /** Bytes per part (see partBytesFor); a pack no larger is one PUT. */
  partBytes: number;
  /**
   * Copy a segment of at least `partBytes` in as its own part with UploadPartCopy (no bytes
   * through the compactor) when its checksum was recorded. Only where the store computes
   * part checksums (S3), since nothing else then verifies the copy.
   */
  copyParts: boolean;
  /** Segment bytes read ahead of the one being appended (at least one segment is). */
  prefetchBytes: number;
}

export interface AssembledPart {
  partNumber: number;
  sizeBytes: number;
  /** SHA-256 of the part's bytes: computed here, or for a copied part the segment's recorded one. */
  checksumSha256: string;
  /** What the store answered for the part, when it keeps checksums. */
  storedChecksum?: string;
}

export interface AssembledPack {
  totalBytes: number;
  /** Base64 SHA-256 of each segment's bytes in the pack (equal to the recorded one wherever there was one). */
  segmentChecksums: string[];
  /** The parts as uploaded (empty for a one-PUT pack). */
  parts: AssembledPart[];
  /** One-PUT pack: SHA-256 of its whole body. */
  wholeChecksum?: string;
  /** What the store answered for the object (PutObject or CompleteMultipartUpload), when it keeps checksums. */
  storedChecksum?: string;
}

/** A segment that cannot go into a pack: its object is gone, or its bytes are not what was recorded. */
export interface Exclusion {
  index: number;
  reason: string;
}

export type AssemblyResult = { ok: true; pack: AssembledPack } | { ok: false; exclusion: Exclusion };

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('base64');

interface ReadResult {
  /** undefined: the object does not exist. */
  bytes: Buffer | undefined;
  /** Bytes the object really had (may differ from the recorded size). */
  actualBytes: number;
}

/** Reads an object into one buffer of its recorded size, counting (not keeping) anything past it. */
async function readWhole(store: PackStore, s: AssemblySegment): Promise<ReadResult> {
  const body = await store.readObject(s.objectKey);
  if (!body) return { bytes: undefined, actualBytes: 0 };
  const out = Buffer.allocUnsafe(s.sizeBytes);
  let n = 0;
  for await (const chunk of body) {
    if (n + chunk.length <= out.length) out.set(chunk, n);
    n += chunk.length;
  }
  return { bytes: out, actualBytes: n };
}

/**
 * Reads segments in order with a bounded look-ahead: at most `maxBytes` of segment bytes
 * are in flight or waiting (always at least the next one), so memory does not grow with
 * the hour. Segments `skip` names (copy candidates) are not read ahead.
 */
class ReadAhead {
  private readonly ahead: { index: number; bytes: number; result: Promise<ReadResult> }[] = [];
  private next = 0;
  private aheadBytes = 0;

  constructor(
    private readonly store: PackStore,
    private readonly segments: readonly AssemblySegment[],
    private readonly skip: (index: number) => boolean,
    private readonly maxBytes: number,
  ) {}

  private fill(): void {
    while (this.next < this.segments.length && (this.ahead.length === 0 || this.aheadBytes < this.maxBytes)) {
      const index = this.next++;
      if (this.skip(index)) continue;
      const s = this.segments[index]!;
      const result = readWhole(this.store, s);
      result.catch(() => {}); // rethrown when taken; never an unhandled rejection if abandoned
      this.ahead.push({ index, bytes: s.sizeBytes, result });
      this.aheadBytes += s.sizeBytes;
    }
  }

  take(index: number): Promise<ReadResult> {
    this.fill();
    const head = this.ahead[0];
    if (head?.index === index) {
      this.ahead.shift();
      this.aheadBytes -= head.bytes;
      this.fill();
      return head.result;
    }
    // A skipped copy candidate that had to be read after all.
    return readWhole(this.store, this.segments[index]!);
  }
}

/**
 * Writes one pack: the segments' bytes back to back into `key`, each checked on the way
 * against the SHA-256 the indexer recorded for it. A pack that fits one part is one PUT;
 * a larger one is a multipart upload of `partBytes` parts, each sent with its SHA-256
 * (the store refuses a part whose bytes do not match), the next part filled while the
 * last uploads. Memory: two part buffers plus the read-ahead plus one segment.
 *
 * If a segment is gone or its bytes are not the recorded ones, the upload is aborted and
 * the segment is reported, so the caller can plan the pack again without it.
 */
export async function assemblePack(store: PackStore, key: string, segments: readonly AssemblySegment[], o: AssemblyOptions): Promise<AssemblyResult> {
  const totalBytes = segments.reduce((n, s) => n + s.sizeBytes, 0);
  const single = totalBytes <= o.partBytes;
  const copyCandidate = (i: number): boolean => {
    const s = segments[i]!;
    return !single && o.copyParts && s.sizeBytes >= o.partBytes && s.checksumSha256 !== undefined;
  };
  const reads = new ReadAhead(store, segments, copyCandidate, o.prefetchBytes);
  const segmentChecksums: string[] = new Array(segments.length);
  const parts: AssembledPart[] = [];
  const stored: StoredPart[] = [];
  let upload: PackUpload | undefined;
  let buf: Buffer = Buffer.allocUnsafe(single ? totalBytes : o.partBytes);
  let spare: Buffer | undefined;
  let fill = 0;
  let partNumber = 1;
  let inflight: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    if (fill === 0) return;
    const body = buf.subarray(0, fill);
    const checksum = sha256(body);
    const n = partNumber++;
    await inflight;
    upload ??= await store.startPack(key, o.write);
    const up = upload;
    inflight = up.uploadPart(n, body, checksum).then((r) => {
      if (r.checksumSha256 !== undefined && r.checksumSha256 !== checksum)
        throw new PackIntegrityError(`${key}: the store computed ${r.checksumSha256} for part ${n}, we sent ${checksum}`);
      stored.push(r);
      parts.push({ partNumber: n, sizeBytes: body.length, checksumSha256: checksum, ...(r.checksumSha256 ? { storedChecksum: r.checksumSha256 } : {}) });
    });
    inflight.catch(() => {}); // awaited below
    // The other buffer is free: its upload was awaited above.
    const next = spare ?? Buffer.allocUnsafe(o.partBytes);
    spare = buf;
    buf = next;
    fill = 0;
  };

  const append = async (bytes: Buffer): Promise<void> => {
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, buf.length - fill);
      bytes.copy(buf, fill, at, at + n);
      fill += n;
      at += n;
      if (!single && fill === buf.length) await flush();
    }
  };

  try {
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      if (copyCandidate(i) && (fill === 0 || fill >= S3_MIN_PART_BYTES)) {
        await flush();
        await inflight;
        upload ??= await store.startPack(key, o.write);
        const n = partNumber++;
        const r = await upload.copyPart(n, s.objectKey);
        if (r.checksumSha256 === undefined)
          throw new PackIntegrityError(
            `${key}: the store returned no checksum for part ${n} copied from ${s.objectKey}; copy parts need a store that keeps checksums`,
          );
        if (r.checksumSha256 !== s.checksumSha256)
          return { ok: false, exclusion: { index: i, reason: `S3 computed ${r.checksumSha256} for ${s.objectKey}, the index recorded ${s.checksumSha256}` } };
        stored.push(r);
        parts.push({ partNumber: n, sizeBytes: s.sizeBytes, checksumSha256: s.checksumSha256!, storedChecksum: r.checksumSha256 });
        segmentChecksums[i] = r.checksumSha256;
        continue;
      }
      const read = await reads.take(i);
      if (!read.bytes) return { ok: false, exclusion: { index: i, reason: `the hot object ${s.objectKey} is gone` } };
      if (read.actualBytes !== s.sizeBytes)
        return { ok: false, exclusion: { index: i, reason: `${s.objectKey} has ${read.actualBytes} bytes, the index recorded ${s.sizeBytes}` } };
      const sum = sha256(read.bytes);
      if (s.checksumSha256 !== undefined && sum !== s.checksumSha256)
        return { ok: false, exclusion: { index: i, reason: `${s.objectKey} has SHA-256 ${sum}, the index recorded ${s.checksumSha256}` } };
      segmentChecksums[i] = sum;
      await append(read.bytes);
    }
    if (single) {
      const wholeChecksum = sha256(buf);
      const r = await store.putPack(key, buf, wholeChecksum, o.write);
      return { ok: true, pack: { totalBytes, segmentChecksums, parts: [], wholeChecksum, ...(r.checksumSha256 ? { storedChecksum: r.checksumSha256 } : {}) } };
    }
    await flush();
    await inflight;
    const done = await upload!.complete([...stored].sort((a, b) => a.partNumber - b.partNumber));
    upload = undefined;
    parts.sort((a, b) => a.partNumber - b.partNumber);
    return { ok: true, pack: { totalBytes, segmentChecksums, parts, ...(done.checksumSha256 ? { storedChecksum: done.checksumSha256 } : {}) } };
  } finally {
    if (upload) {
      await inflight?.catch(() => {});
      await upload.abort().catch(() => {});
    }
  }
}
