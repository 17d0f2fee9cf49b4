import { KEY_ID_PATTERN, PlaybackRoute, routePattern, type SessionClaims } from '../../contract/index.ts';
import type { SegmentIndex } from '../index/segment-index.ts';
import type { Clock } from '../shared/clock.ts';
import { CacheControl, type HttpEvent, type HttpResult } from '../shared/http.ts';
import { httpHandler } from '../shared/http-handler.ts';
import { noMetrics, silentLog, type Log, type MetricsSink } from '../shared/log.ts';
import { MethodNotAllowedError, NotFoundError } from '../shared/playback-error.ts';
import { decodePathParam } from '../shared/request-input.ts';
import { authorizeSession } from '../token/authorize-session.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { TokenSecrets } from '../token/token-secrets.ts';
import type { ImageIndex } from '../images/image-index.ts';
import { getImage } from './get-image.ts';
import { createDataKeyOpener } from './data-key-opener.ts';
import type { KeyUnwrapper } from './key-unwrapper.ts';
import { createSessionKeyScope } from './session-key-scope.ts';

export interface KeysDeps {
  config: {
    corsOrigins: string[];
    targetDurationSeconds: number;
    liveWindowSegments: number;
    /**
     * Wrapped keys in the legacy unbound format (written by agents before format 2) are
     * served only if S3 stored the object before this time (UTC ms). A camera cannot forge
     * S3's LastModified, so a key it copies from another camera today is refused.
     * @default undefined: the legacy format is refused
     */
    unboundKeysStoredBeforeMs?: number;
  };
  store: ObjectStore;
  index: SegmentIndex;
  /** Pictures (the picture route decrypts them here, with the key route's unwrapping). @default no picture route */
  images?: ImageIndex;
  unwrapper: KeyUnwrapper;
  tokenSecrets: TokenSecrets;
  clock: Clock;
  log?: Log;
  metrics?: MetricsSink;
  /** Unwrapped keys kept in memory (LRU), default 1000; sessions whose key ids are kept, the same. */
  cacheEntries?: number;
}

const KEY_ROUTE = routePattern(PlaybackRoute.KEY.path);
const IMAGE_ROUTE = routePattern(PlaybackRoute.IMAGE.path);

export type KeysHandler = (event: HttpEvent) => Promise<HttpResult>;

/**
 * GET /v1/sessions/{token}/images/{tsMs}-{imageId}.jpg: a picture in the session's reach,
 * decrypted with the same unwrapped (cached, binding-checked) data key (see get-image.ts).
 *
 * GET /v1/sessions/{token}/keys/{keyId}: the 16-byte AES-128 key for a segment, served only
 * - to a valid session of the camera whose keys/ prefix holds it (another camera's key id
 *   is simply not found there);
 * - when a segment in the session's reach uses that key (see session-key-scope.ts), so a
 *   token for one hour of a camera does not unwrap the camera's whole history;
 * - when the unwrapped plaintext is bound to that camera and key id (format 2), or is a
 *   legacy unbound key S3 stored before the deployment's cutoff.
 * Unwrapped keys are cached in memory (after those checks), so KMS is called once per key
 * per warm function. Answers are `Cache-Control: no-store`: a plain AES key must not sit in
 * a browser's disk cache.
 */
export function createKeysHandler(deps: KeysDeps): KeysHandler {
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;
  const capacity = deps.cacheEntries ?? 1000;
  const scope = createSessionKeyScope(deps.index, deps.config, capacity);

  const dataKey = createDataKeyOpener({
    store: deps.store,
    unwrapper: deps.unwrapper,
    log,
    metrics,
    cacheEntries: capacity,
    ...(deps.config.unboundKeysStoredBeforeMs !== undefined ? { unboundKeysStoredBeforeMs: deps.config.unboundKeysStoredBeforeMs } : {}),
  });

  async function route(_event: HttpEvent, method: string, path: string): Promise<HttpResult> {
    const img = IMAGE_ROUTE.exec(path);
    if (img && deps.images) {
      if (method !== 'GET') throw new MethodNotAllowedError(method, ['GET', 'OPTIONS']);
      const claims = await authorizeSession(decodePathParam('token', img[1]!), deps.tokenSecrets, deps.clock.nowMs());
      const settings = { targetDurationSeconds: deps.config.targetDurationSeconds, liveWindowSegments: deps.config.liveWindowSegments };
      return getImage({ images: deps.images, store: deps.store, settings, dataKey, log, metrics }, claims, decodePathParam('picture name', img[2]!));
    }
    const m = KEY_ROUTE.exec(path);
    if (!m) throw new NotFoundError('unknown_route', `no route ${method} ${path.slice(0, 200)} in the keys function`);
    if (method !== PlaybackRoute.KEY.method) throw new MethodNotAllowedError(method, [PlaybackRoute.KEY.method, 'OPTIONS']);
    const nowMs = deps.clock.nowMs();
    const token = decodePathParam('token', m[1]!);
    const claims: SessionClaims = await authorizeSession(token, deps.tokenSecrets, nowMs);
    const keyId = decodePathParam('key id', m[2]!);
    if (!KEY_ID_PATTERN.test(keyId)) throw new NotFoundError('key_not_found', 'key ids are 32 lowercase hex digits');
    if (!(await scope.allows(token, claims, keyId, nowMs))) {
      metrics.count('KeysOutOfReach');
      throw new NotFoundError('key_not_found', `no segment this session's playlist can list uses key ${keyId}`);
    }
    const key = await dataKey(claims.deviceId, keyId);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream', 'cache-control': CacheControl.DATA_KEY },
      body: Buffer.from(key).toString('base64'),
      isBase64Encoded: true,
    };
  }

  return httpHandler({ corsOrigins: deps.config.corsOrigins, log, metrics, route });
}
