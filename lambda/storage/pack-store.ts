/**
 * What the compactor needs from S3 (or a fake): read hot segment objects, write pack
 * objects (one PUT, or a multipart upload with an SHA-256 checksum per part; S3 answers
 * each with the checksum it computed), and delete hot objects. The compactor's IAM role
 * allows exactly these on exactly those prefixes: read and delete `segments/`, write
 * `packs/`. It may not read a pack: where the store keeps no checksums (s3rver), the
 * local compactor reads packs back with `readObject` instead.
 */
export interface PackWrite {
  /** S3 storage class, e.g. STANDARD_IA or GLACIER_IR. */
  storageClass: string;
  contentType: string;
}

export interface StoredPart {
  partNumber: number;
  etag: string;
  /** Base64 SHA-256 the store computed for the part, when it keeps checksums. */
  checksumSha256?: string;
}

/** A multipart upload of one pack. `abort()` removes what it stored. */
export interface PackUpload {
  /** Uploads `body` as part `partNumber` with its base64 SHA-256; the store refuses a body that does not match it. */
  uploadPart(partNumber: number, body: Uint8Array, checksumSha256: string): Promise<StoredPart>;
  /** Copies a whole object in as part `partNumber` (UploadPartCopy: no bytes through the caller). */
  copyPart(partNumber: number, sourceKey: string): Promise<StoredPart>;
  /** Completes the upload; the store's composite checksum when it keeps checksums. */
  complete(parts: readonly StoredPart[]): Promise<{ checksumSha256?: string }>;
  abort(): Promise<void>;
}

export interface PackStore {
  /** The object's bytes as they stream in, or undefined when it does not exist. */
  readObject(key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** One PUT of a whole (small) pack with its base64 SHA-256. */
  putPack(key: string, body: Uint8Array, checksumSha256: string, o: PackWrite): Promise<{ checksumSha256?: string }>;
  startPack(key: string, o: PackWrite): Promise<PackUpload>;
  /** Deletes objects; keys that do not exist are fine. */
  deleteObjects(keys: readonly string[]): Promise<void>;
}
