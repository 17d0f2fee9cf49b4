import type { UploadItem } from './upload-item.ts';

/**
 * Where objects go: one PUT, written once. Resolves 'created' on 200, 'exists' on 412
 * (the key is already there). Throws UploadError (with `retryable`) otherwise.
 * `bodySha256` (hex), when the caller already has it (the spool's header), spares hashing
 * the body again; S3 checks it against the bytes (400 BadDigest), so a wrong one is refused.
 */
export interface ObjectPutter {
  put(item: UploadItem, body: Uint8Array, signal: AbortSignal, bodySha256?: string): Promise<'created' | 'exists'>;
}
