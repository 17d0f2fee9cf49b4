import { PACK_PERIOD_MS, PlaybackRoute, SessionMode, routePattern } from '../../contract/index.ts';
import { buildSessionPlaylist } from '../playlist/build-session-playlist.ts';
import { createLivePlaylistCache, liveCacheTtlMs } from '../playlist/live-playlist-cache.ts';
import { CacheControl, header, jsonResult, publicBaseUrl, type HttpEvent, type HttpResult } from '../shared/http.ts';
import { httpHandler } from '../shared/http-handler.ts';
import { noMetrics, silentLog } from '../shared/log.ts';
import { MethodNotAllowedError, NotFoundError } from '../shared/playback-error.ts';
import { cameraIdFromPath, decodePathParam } from '../shared/request-input.ts';
import { authorizeSession } from '../token/authorize-session.ts';
import type { ApiDeps } from './api-deps.ts';
import { createClip, deleteClip, getClip, listClips, type ClipRouteDeps } from './routes/clips.ts';
import { createSession } from './routes/create-session.ts';
import { getCameraStatus } from './routes/get-camera-status.ts';
import { createPackRoute } from './routes/get-pack.ts';
import { initRedirect, segmentRedirect } from './routes/get-segment.ts';
import { TS_INIT_NAME } from '../playlist/playlist-entry.ts';
import { tsInitSection } from '../../media/ts/ts-init-section.ts';
import { getTimeline } from './routes/get-timeline.ts';

export type ApiHandler = (event: HttpEvent) => Promise<HttpResult>;

/** The playback API's routes (contract/playback-routes.ts) as patterns; the keys route is its own function (only it may call KMS). */
export const ApiRoute = Object.fromEntries(Object.entries(PlaybackRoute).map(([name, r]) => [name, routePattern(r.path)])) as Record<
  keyof typeof PlaybackRoute,
  RegExp
>;

const PLAYLIST_CONTENT_TYPE = 'application/vnd.apple.mpegurl';
/** The MPEG-TS initialization section (PAT + PMT), encoded once at cold start. */
const TS_INIT_BASE64 = Buffer.from(tsInitSection()).toString('base64');

/**
 * The playback API over injected dependencies: sessions, playlists, segment redirects,
 * timeline. Every client mistake is a 4xx with `{error: {code, message}}`; everything
 * else a 500 without details. CORS on every answer, OPTIONS preflight answered here.
 */
export function createApiHandler(deps: ApiDeps): ApiHandler {
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;
  const { config } = deps;
  const liveCache = createLivePlaylistCache({ ttlMs: deps.liveCacheTtlMs ?? liveCacheTtlMs(config.targetDurationSeconds) });
  const packRedirect = createPackRoute(deps, config.packPeriodMs ?? PACK_PERIOD_MS);
  const clipDeps = (): ClipRouteDeps => {
    if (!deps.clips) throw new NotFoundError('clips_not_configured', 'this deployment has no clip export: deploy a stack with clips');
    return { ...deps.clips, clock: deps.clock };
  };

  async function route(event: HttpEvent, method: string, path: string): Promise<HttpResult> {
    let m: RegExpExecArray | null;
    const only = (allowed: string) => {
      if (method !== allowed) throw new MethodNotAllowedError(method, [allowed, 'OPTIONS']);
    };
    if ((m = ApiRoute.CREATE_SESSION.exec(path))) {
      only(PlaybackRoute.CREATE_SESSION.method);
      const deviceId = cameraIdFromPath(m[1]!);
      const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      const answer = await createSession(deps, deviceId, body, publicBaseUrl(event, config.publicBaseUrl));
      metrics.count('SessionsCreated');
      return jsonResult(201, answer, { 'cache-control': CacheControl.NONE });
    }
    if ((m = ApiRoute.TIMELINE.exec(path))) {
      only('GET');
      const deviceId = cameraIdFromPath(m[1]!);
      const timeline = await getTimeline(deps, deviceId, event.queryStringParameters ?? {}, publicBaseUrl(event, config.publicBaseUrl));
      return jsonResult(200, timeline, { 'cache-control': CacheControl.TIMELINE });
    }
    if ((m = ApiRoute.STATUS.exec(path))) {
      only('GET');
      const status = await getCameraStatus(deps, cameraIdFromPath(m[1]!));
      return jsonResult(200, status, { 'cache-control': CacheControl.NONE });
    }
    if ((m = ApiRoute.CREATE_CLIP.exec(path))) {
      const deviceId = cameraIdFromPath(m[1]!);
      const clips = clipDeps();
      if (method === 'POST') {
        const body = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
        const answer = await createClip(clips, deviceId, body);
        metrics.count('ClipsRequested');
        return jsonResult(202, answer, { 'cache-control': CacheControl.NONE });
      }
      if (method !== 'GET') throw new MethodNotAllowedError(method, ['GET', 'POST', 'OPTIONS']);
      return jsonResult(200, await listClips(clips, deviceId, event.queryStringParameters ?? {}), { 'cache-control': CacheControl.NONE });
    }
    if ((m = ApiRoute.GET_CLIP.exec(path))) {
      const deviceId = cameraIdFromPath(m[1]!);
      const clipId = decodePathParam('clip id', m[2]!);
      if (method === 'DELETE') {
        await deleteClip(clipDeps(), deviceId, clipId);
        return { statusCode: 204, headers: { 'cache-control': CacheControl.NONE }, body: '' };
      }
      if (method !== 'GET') throw new MethodNotAllowedError(method, ['GET', 'DELETE', 'OPTIONS']);
      return jsonResult(200, await getClip(clipDeps(), deviceId, clipId), { 'cache-control': CacheControl.NONE });
    }
    if ((m = ApiRoute.PLAYLIST.exec(path))) {
      only('GET');
      const nowMs = deps.clock.nowMs();
      const claims = await authorizeSession(decodePathParam('token', m[1]!), deps.tokenSecrets, nowMs);
      const t0 = performance.now();
      const build = () => buildSessionPlaylist(claims, deps.index, config, nowMs);
      const playlist = claims.mode === SessionMode.LIVE ? await liveCache.get(claims.deviceId, nowMs, build) : await build();
      metrics.millis('PlaylistMs', performance.now() - t0);
      metrics.count('PlaylistEntries', playlist.entryCount);
      const cache = claims.mode === SessionMode.ON_DEMAND ? CacheControl.VOD_PLAYLIST : CacheControl.LIVE_PLAYLIST;
      return { statusCode: 200, headers: { 'content-type': PLAYLIST_CONTENT_TYPE, 'cache-control': cache }, body: playlist.body };
    }
    if ((m = ApiRoute.SEGMENT.exec(path))) {
      only('GET');
      const claims = await authorizeSession(decodePathParam('token', m[1]!), deps.tokenSecrets, deps.clock.nowMs());
      const location = await segmentRedirect(deps, claims, decodePathParam('segment name', m[2]!));
      return { statusCode: 302, headers: { location, 'cache-control': CacheControl.SEGMENT_REDIRECT }, body: '' };
    }
    if ((m = ApiRoute.INIT.exec(path))) {
      only('GET');
      const claims = await authorizeSession(decodePathParam('token', m[1]!), deps.tokenSecrets, deps.clock.nowMs());
      const name = decodePathParam('init section name', m[2]!);
      // The MPEG-TS initialization section is the same 376 bytes for every camera: answered here, no object behind it.
      if (name === TS_INIT_NAME)
        return {
          statusCode: 200,
          headers: { 'content-type': 'video/mp2t', 'cache-control': CacheControl.IMMUTABLE },
          body: TS_INIT_BASE64,
          isBase64Encoded: true,
        };
      const location = await initRedirect(deps, claims, name);
      return { statusCode: 302, headers: { location, 'cache-control': CacheControl.SEGMENT_REDIRECT }, body: '' };
    }
    if ((m = ApiRoute.PACK.exec(path))) {
      only('GET');
      const claims = await authorizeSession(decodePathParam('token', m[1]!), deps.tokenSecrets, deps.clock.nowMs());
      const location = await packRedirect(claims, decodePathParam('pack name', m[2]!), header(event, 'range'));
      metrics.count('PackRangeRedirects');
      // The Location is signed for the request's Range: never reuse it for another range.
      return { statusCode: 302, headers: { location, 'cache-control': CacheControl.NONE, vary: 'range' }, body: '' };
    }
    if (ApiRoute.KEY.test(path) || ApiRoute.IMAGE.test(path))
      throw new NotFoundError('wrong_function', 'the key and picture routes are served by the keys function: check the API Gateway routes');
    throw new NotFoundError(
      'unknown_route',
      `no route ${method} ${path.slice(0, 200)}: see ${[PlaybackRoute.CREATE_SESSION, PlaybackRoute.TIMELINE, PlaybackRoute.STATUS, PlaybackRoute.CREATE_CLIP, PlaybackRoute.PLAYLIST].map((r) => r.path).join(', ')}`,
    );
  }

  return httpHandler({ corsOrigins: config.corsOrigins, log, metrics, route });
}
