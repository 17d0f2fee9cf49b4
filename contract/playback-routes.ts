/**
 * The playback API's routes and CORS rules: the one table API Gateway's routes (lib/), the
 * Lambda handlers' routers (lambda/api, lambda/keys) and the local API server (local/http)
 * are built from.
 *
 * `auth`: `iam` routes are checked by API Gateway (SigV4, service execute-api) before the
 * function runs; `token` routes carry the signed session token in the path and the
 * function checks it (players cannot sign requests). `fn`: which Lambda serves the route
 * (only `keys` may call KMS Decrypt).
 */
export const PlaybackRoute = {
  CREATE_SESSION: { method: 'POST', path: '/v1/cameras/{id}/sessions', auth: 'iam', fn: 'api' },
  TIMELINE: { method: 'GET', path: '/v1/cameras/{id}/timeline', auth: 'iam', fn: 'api' },
  STATUS: { method: 'GET', path: '/v1/cameras/{id}/status', auth: 'iam', fn: 'api' },
  CREATE_CLIP: { method: 'POST', path: '/v1/cameras/{id}/clips', auth: 'iam', fn: 'api' },
  LIST_CLIPS: { method: 'GET', path: '/v1/cameras/{id}/clips', auth: 'iam', fn: 'api' },
  GET_CLIP: { method: 'GET', path: '/v1/cameras/{id}/clips/{clipId}', auth: 'iam', fn: 'api' },
  DELETE_CLIP: { method: 'DELETE', path: '/v1/cameras/{id}/clips/{clipId}', auth: 'iam', fn: 'api' },
  PLAYLIST: { method: 'GET', path: '/v1/sessions/{token}/playlist.m3u8', auth: 'token', fn: 'api' },
  SEGMENT: { method: 'GET', path: '/v1/sessions/{token}/segments/{name}', auth: 'token', fn: 'api' },
  /** An fMP4 init section (EXT-X-MAP) of the session's camera, or the MPEG-TS one (PAT + PMT) after a switch from fMP4 to TS. */
  INIT: { method: 'GET', path: '/v1/sessions/{token}/init/{name}', auth: 'token', fn: 'api' },
  PACK: { method: 'GET', path: '/v1/sessions/{token}/packs/{name}', auth: 'token', fn: 'api' },
  KEY: { method: 'GET', path: '/v1/sessions/{token}/keys/{keyId}', auth: 'token', fn: 'keys' },
  /** `{name}` is `{tsMs}-{imageId}.jpg`; the keys function decrypts the picture (only it may unwrap keys). */
  IMAGE: { method: 'GET', path: '/v1/sessions/{token}/images/{name}', auth: 'token', fn: 'keys' },
} as const;

export type PlaybackRouteName = keyof typeof PlaybackRoute;
export type PlaybackRouteSpec = (typeof PlaybackRoute)[PlaybackRouteName];

/**
 * A route's path template as a regular expression over the request path: each `{param}`
 * matches one non-empty path segment (still percent-encoded) and is captured in order.
 *   '/v1/sessions/{token}/keys/{keyId}' -> /^\/v1\/sessions\/([^/]+)\/keys\/([^/]+)$/
 */
export function routePattern(pathTemplate: string): RegExp {
  const parts = pathTemplate.split(/(\{[^}/]+\})/).map((p) => (/^\{[^}/]+\}$/.test(p) ? '([^/]+)' : p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`);
}

/** The request headers a browser may send: SigV4's (camera routes), JSON bodies and Range (pack routes). */
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'range'] as const;
export const CORS_ALLOW_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'] as const;
/** How long a browser may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 3600;
