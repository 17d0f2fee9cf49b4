import { KeyBindingError, WrappedKeyFormat, openWrappedKeyPlaintext, wrappedKeyKey } from '../../contract/index.ts';
import { noMetrics, silentLog, type Log, type MetricsSink } from '../shared/log.ts';
import { ForbiddenError, NotFoundError } from '../shared/playback-error.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { KeyUnwrapper } from './key-unwrapper.ts';

/** An RSA-2048..4096 OAEP ciphertext is at most 512 bytes. */
const MAX_WRAPPED_KEY_BYTES = 1024;

export interface DataKeyOpenerDeps {
  store: Pick<ObjectStore, 'getBytes' | 'head'>;
  unwrapper: KeyUnwrapper;
  /** Legacy unbound wrapped keys are opened only if S3 stored them before this (UTC ms); @default refused */
  unboundKeysStoredBeforeMs?: number;
  log?: Log;
  metrics?: MetricsSink;
  /** Unwrapped keys kept in memory (LRU). @default 1000 */
  cacheEntries?: number;
}

/** The 16-byte data key of one camera's key id, or an error saying why not. */
export type DataKeyOpener = (deviceId: string, keyId: string) => Promise<Uint8Array>;

/**
 * Opens a camera's wrapped data key: reads keys/{deviceId}/{keyId}.bin, unwraps it (KMS
 * Decrypt in the cloud), and accepts the plaintext only when it is bound to that camera
 * and key id (format 2), or is a legacy unbound key S3 stored before the cutoff. The one
 * place these checks live: the key route and the clip export both call it. Unwrapped keys
 * are cached (after the checks), so KMS is called once per key per warm function.
 */
export function createDataKeyOpener(deps: DataKeyOpenerDeps): DataKeyOpener {
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;
  const capacity = deps.cacheEntries ?? 1000;
  const cache = new Map<string, Uint8Array>();

  return async (deviceId, keyId) => {
    const objectKey = wrappedKeyKey({ deviceId, keyId });
    const hit = cache.get(objectKey);
    if (hit) {
      cache.delete(objectKey);
      cache.set(objectKey, hit);
      metrics.count('KeyCacheHits');
      return hit;
    }
    const wrapped = await deps.store.getBytes(objectKey, MAX_WRAPPED_KEY_BYTES);
    if (!wrapped) throw new NotFoundError('key_not_found', `no key ${keyId} for this camera`);
    const plaintext = await deps.unwrapper.unwrap(wrapped);
    let opened: ReturnType<typeof openWrappedKeyPlaintext>;
    try {
      opened = openWrappedKeyPlaintext(plaintext, { deviceId, keyId });
    } catch (err) {
      if (!(err instanceof KeyBindingError)) throw err;
      metrics.count('KeysRefusedBinding');
      log.warn('wrapped key refused: not bound to its camera and key id (copied from another camera?)', { objectKey, reason: err.message });
      throw new ForbiddenError('key_not_bound', `key ${keyId} under this camera's prefix was not made for this camera: it is not served`);
    } finally {
      plaintext.fill(0);
    }
    if (opened.format === WrappedKeyFormat.LEGACY_UNBOUND) {
      const cutoff = deps.unboundKeysStoredBeforeMs;
      const storedAtMs = cutoff === undefined ? undefined : (await deps.store.head(objectKey))?.lastModifiedMs;
      if (cutoff === undefined || storedAtMs === undefined || storedAtMs >= cutoff) {
        opened.dataKey.fill(0);
        metrics.count('KeysRefusedUnbound');
        log.warn('wrapped key refused: legacy unbound format stored after the cutoff', { objectKey, storedAtMs, cutoffMs: cutoff });
        throw new ForbiddenError(
          'key_unbound',
          `key ${keyId} is in the legacy unbound format and was not stored before this deployment's cutoff: it is not served`,
        );
      }
    }
    metrics.count('KeysUnwrapped');
    cache.set(objectKey, opened.dataKey);
    if (cache.size > capacity) cache.delete(cache.keys().next().value!);
    return opened.dataKey;
  };
}
