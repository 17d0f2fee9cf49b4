/** What the indexer and the playback API need from S3 (or a fake). */
export interface ObjectHead {
  /** User metadata without the x-amz-meta- prefix, names lower-cased. */
  metadata: Record<string, string>;
  sizeBytes: number;
  contentType?: string;
  lastModifiedMs?: number;
}

export interface ObjectStore {
  /** undefined when the object does not exist. */
  head(key: string): Promise<ObjectHead | undefined>;
  /** The whole body, or undefined when the object does not exist. Refuses bodies over maxBytes. */
  getBytes(key: string, maxBytes: number): Promise<Uint8Array | undefined>;
}

/** Presigned GET URLs for segment objects. */
export interface Presigner {
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
}
