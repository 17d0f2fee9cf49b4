/** What the indexer and the playback API need from S3 (or a fake). */
export interface ObjectHead {
  /** User metadata without the x-amz-meta- prefix, names lower-cased. */
  metadata: Record<string, string>;
  sizeBytes: number;
  contentType?: string;
  lastModifiedMs?: number;
  /** Base64 SHA-256 S3 verified and keeps for the object (the uploader's x-amz-checksum-sha256), when there is one. */
  checksumSha256?: string;
}

/** `getBytes` refused an object larger than the caller allows (carries the sizes; callers test the class, never the message). */
export class ObjectTooLargeError extends Error {
  override readonly name = 'ObjectTooLargeError';
  constructor(
    readonly key: string,
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(`object ${key} is ${sizeBytes} bytes, over the ${maxBytes} expected`);
  }
}

export interface ObjectStore {
  /** undefined when the object does not exist. */
  head(key: string): Promise<ObjectHead | undefined>;
  /** The whole body, or undefined when the object does not exist. Throws ObjectTooLargeError for a body over maxBytes. */
  getBytes(key: string, maxBytes: number): Promise<Uint8Array | undefined>;
}

/** Presigned GET URLs for segment and pack objects. */
export interface Presigner {
  /**
   * A presigned GET of `key`. With `range` (`bytes=first-last`) the Range header is signed
   * too: the URL then fetches exactly that range, and only a request that sends that same
   * Range header (as a player following a redirect does) is accepted.
   */
  presignGet(key: string, expiresInSeconds: number, range?: string): Promise<string>;
}
