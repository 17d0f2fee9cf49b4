import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_MAX_AGE_SECONDS } from '../../contract/index.ts';
import { PlaybackError } from './playback-error.ts';
import type { Log } from './log.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

/** Cache-Control values, one per kind of answer. */
export const CacheControl = {
  NONE: 'no-store',
  /** Live playlists change every segment; players poll about every target duration. */
  LIVE_PLAYLIST: 'private, max-age=1',
  VOD_PLAYLIST: 'private, max-age=60',
  /** The redirect points at a URL presigned for 300 s. */
  SEGMENT_REDIRECT: 'private, max-age=60',
  /** A plain AES key: never stored by a browser or proxy (players fetch each key once per session anyway). */
  DATA_KEY: 'no-store',
  TIMELINE: 'private, max-age=5',
  /** The MPEG-TS initialization section: the same bytes for ever. */
  IMMUTABLE: 'public, max-age=31536000, immutable',
} as const;

export function header(event: HttpEvent, name: string): string | undefined {
  const h = event.headers ?? {};
  return h[name] ?? h[name.toLowerCase()] ?? Object.entries(h).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/** CORS headers for an answer: `*`, or the request's Origin echoed when it is allowed. */
export function corsHeaders(allowed: readonly string[], origin: string | undefined): Record<string, string> {
  if (allowed.includes('*')) return { 'access-control-allow-origin': '*' };
  if (origin && allowed.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'origin' };
  return { vary: 'origin' };
}

export function preflight(allowed: readonly string[], origin: string | undefined): HttpResult {
  return {
    statusCode: 204,
    headers: {
      ...corsHeaders(allowed, origin),
      'access-control-allow-methods': CORS_ALLOW_METHODS.join(','),
      'access-control-allow-headers': CORS_ALLOW_HEADERS.join(','),
      'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
      'cache-control': CacheControl.NONE,
    },
    body: '',
  };
}

export function jsonResult(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/**
 * Maps any error to an answer in one place: a PlaybackError becomes its 4xx with
 * `{error: {code, message}}`; anything else is logged and becomes a bare 500.
 */
export function errorResult(err: unknown, log: Log, requestId: string | undefined): HttpResult {
  if (err instanceof PlaybackError) {
    if (err.statusCode >= 500) log.error('playback error', { code: err.code, message: err.message, requestId });
    return jsonResult(err.statusCode, { error: { code: err.code, message: err.message } }, { 'cache-control': CacheControl.NONE, ...err.headers });
  }
  log.error('unexpected error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err), requestId });
  return jsonResult(
    500,
    { error: { code: 'internal', message: `internal error; retry later${requestId ? ` (request ${requestId})` : ''}` } },
    { 'cache-control': CacheControl.NONE },
  );
}

/** The request path without a non-default stage prefix (`/prod/v1/...` -> `/v1/...`). */
export function routePath(event: HttpEvent): string {
  const raw = event.rawPath || '/';
  const stage = event.requestContext?.stage;
  if (stage && stage !== '$default' && raw.startsWith(`/${stage}/`)) return raw.slice(stage.length + 1);
  return raw;
}

/** Absolute base URL of the API for links in answers: configured, else from the request. */
export function publicBaseUrl(event: HttpEvent, configured: string | undefined): string {
  if (configured) return configured;
  const proto = header(event, 'x-forwarded-proto') ?? 'https';
  const host = event.requestContext?.domainName ?? header(event, 'host') ?? 'localhost';
  const stage = event.requestContext?.stage;
  return `${proto}://${host}${stage && stage !== '$default' ? `/${stage}` : ''}`;
}
