import type { UploadItem } from './upload-item.ts';

/**
 * Where objects go: one PUT, written once. Resolves 'created' on 200, 'exists' on 412
 * (the key is already there). Throws UploadError (with `retryable`) otherwise.
 */
export interface ObjectPutter {
  put(item: UploadItem, body: Uint8Array, signal: AbortSignal): Promise<'created' | 'exists'>;
}
