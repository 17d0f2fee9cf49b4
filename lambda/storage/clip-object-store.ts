/**
 * What clips need from S3 (or a fake): read source bytes (a hot object, or a byte range of
 * a pack), write clip objects encrypted with the clips' KMS key (small JSON in one PUT, the
 * MP4 as a multipart upload), list, presign and delete under clips/.
 */
export interface ClipUpload {
  /** Appends bytes; resolves once they are buffered or uploaded (memory: at most one part buffered plus one in flight). */
  write(bytes: Uint8Array): Promise<void>;
  /** Uploads the rest and completes: the object appears whole. */
  complete(): Promise<{ sizeBytes: number }>;
  /** Drops what was uploaded (the object never appears). */
  abort(): Promise<void>;
}

export interface ClipObjectStore {
  /** The object's bytes (or `length` bytes from `offset`), or undefined when it does not exist. */
  readSource(key: string, range?: { offset: number; length: number }): Promise<Uint8Array | undefined>;
  startUpload(key: string, contentType: string): Promise<ClipUpload>;
  /** One PUT of a small JSON object. */
  putJson(key: string, value: unknown): Promise<void>;
  /** The parsed JSON object, or undefined when it does not exist. */
  getJson(key: string): Promise<unknown>;
  /** Keys under `prefix`, ascending, at most `limit`, after `startAfter`. */
  list(prefix: string, limit: number, startAfter?: string): Promise<{ keys: string[]; truncated: boolean }>;
  deleteObjects(keys: readonly string[]): Promise<void>;
  /** A presigned GET that downloads as `fileName`. */
  presignDownload(key: string, expiresInSeconds: number, fileName: string): Promise<string>;
}
