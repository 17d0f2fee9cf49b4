import { DATA_KEY_BYTES, KEY_ID_PATTERN, wrappedKeyKey } from '../../contract/index.ts';
import { ApiRoute } from '../api/create-api-handler.ts';
import type { Clock } from '../shared/clock.ts';
import { CacheControl, corsHeaders, errorResult, header, preflight, routePath, type HttpEvent, type HttpResult } from '../shared/http.ts';
import { noMetrics, silentLog, type Log, type MetricsSink } from '../shared/log.ts';
import { MethodNotAllowedError, NotFoundError } from '../shared/playback-error.ts';
import { authorizeSession, decodePathParam } from '../shared/request-input.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { TokenSecrets } from '../token/token-secrets.ts';
import type { KeyUnwrapper } from './key-unwrapper.ts';

export interface KeysDeps {
  config: { corsOrigins: string[] };
  store: ObjectStore;
  unwrapper: KeyUnwrapper;
  tokenSecrets: TokenSecrets;
  clock: Clock;
  log?: Log;
  metrics?: MetricsSink;
  /** Unwrapped keys kept in memory (LRU), default 1000. */
  cacheEntries?: number;
}

/** An RSA-2048..4096 OAEP ciphertext is at most 512 bytes. */
const MAX_WRAPPED_KEY_BYTES = 1024;

export type KeysHandler = (event: HttpEvent) => Promise<HttpResult>;

/**
 * GET /v1/sessions/{token}/keys/{keyId}: the 16-byte AES-128 key for a segment, only for
 * the session's camera (the wrapped key is read from that camera's own keys/ prefix, so
 * another camera's key id is simply not found). Unwrapped keys are cached in memory, so
 * KMS is called once per key per warm function.
 */
export function createKeysHandler(deps: KeysDeps): KeysHandler {
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;
  const capacity = deps.cacheEntries ?? 1000;
  const cache = new Map<string, Uint8Array>();

  async function dataKey(deviceId: string, keyId: string): Promise<Uint8Array> {
    const objectKey = wrappedKeyKey({ deviceId, keyId });
    const hit = cache.get(objectKey);
    if (hit) {
      cache.delete(objectKey);
      cache.set(objectKey, hit);
      metrics.count('KeyCacheHits');
      return hit;
    }
    const wrapped = await deps.store.getBytes(objectKey, MAX_WRAPPED_KEY_BYTES);
    if (!wrapped) throw new NotFoundError('key_not_found', `no key ${keyId} for this session's camera`);
    const key = await deps.unwrapper.unwrap(wrapped);
    if (key.length !== DATA_KEY_BYTES) throw new Error(`unwrapped key ${objectKey} is ${key.length} bytes`);
    metrics.count('KeysUnwrapped');
    cache.set(objectKey, key);
    if (cache.size > capacity) cache.delete(cache.keys().next().value!);
    return key;
  }

  async function route(method: string, path: string): Promise<HttpResult> {
    const m = ApiRoute.KEY.exec(path);
    if (!m) throw new NotFoundError('unknown_route', `no route ${method} ${path.slice(0, 200)} in the keys function`);
    if (method !== 'GET') throw new MethodNotAllowedError(method, ['GET', 'OPTIONS']);
    const claims = await authorizeSession(decodePathParam('token', m[1]!), deps.tokenSecrets, deps.clock.nowMs());
    const keyId = decodePathParam('key id', m[2]!);
    if (!KEY_ID_PATTERN.test(keyId)) throw new NotFoundError('key_not_found', 'key ids are 32 lowercase hex digits');
    const key = await dataKey(claims.deviceId, keyId);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream', 'cache-control': CacheControl.DATA_KEY },
      body: Buffer.from(key).toString('base64'),
      isBase64Encoded: true,
    };
  }

  return async (event) => {
    const origin = header(event, 'origin');
    const method = event.requestContext?.http?.method?.toUpperCase() ?? 'GET';
    let result: HttpResult;
    try {
      result = method === 'OPTIONS' ? preflight(deps.config.corsOrigins, origin) : await route(method, routePath(event));
    } catch (err) {
      result = errorResult(err, log, event.requestContext?.requestId);
    }
    Object.assign(result.headers, corsHeaders(deps.config.corsOrigins, origin));
    return result;
  };
}
