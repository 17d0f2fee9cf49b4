import { BadRequestError } from './playback-error.ts';
import { corsHeaders, errorResult, header, preflight, routePath, type HttpEvent, type HttpResult } from './http.ts';
import type { Log, MetricsSink } from './log.ts';

/** Longest request path a router looks at; longer is the client's error. */
export const MAX_PATH_CHARS = 2048;

export type HttpRouter = (event: HttpEvent, method: string, path: string) => Promise<HttpResult>;
export type HttpHandler = (event: HttpEvent) => Promise<HttpResult>;

export interface HttpHandlerOptions {
  /** Allowed browser origins; ['*'] for any. */
  readonly corsOrigins: readonly string[];
  readonly log: Log;
  readonly metrics: MetricsSink;
  /** The function's routes: answers, or throws a PlaybackError for the client's mistakes. */
  readonly route: HttpRouter;
}

/**
 * The one frame both HTTP functions (api, keys) run their routers in:
 * - OPTIONS is answered from the CORS rules (contract/playback-routes.ts) without routing;
 * - a path over MAX_PATH_CHARS is refused before any router sees it;
 * - every error becomes JSON in one place (`errorResult`: a PlaybackError its 4xx with
 *   `{error: {code, message}}`, anything else a logged, bare 500), client errors counted;
 * - CORS headers go on every answer, the router's own `Vary` kept.
 */
export function httpHandler(opts: HttpHandlerOptions): HttpHandler {
  return async (event) => {
    const origin = header(event, 'origin');
    const method = event.requestContext?.http?.method?.toUpperCase() ?? 'GET';
    let result: HttpResult;
    try {
      const path = routePath(event);
      if (method === 'OPTIONS') result = preflight(opts.corsOrigins, origin);
      else if (path.length > MAX_PATH_CHARS) throw new BadRequestError('bad_path', `the path is over ${MAX_PATH_CHARS} characters`);
      else result = await opts.route(event, method, path);
    } catch (err) {
      result = errorResult(err, opts.log, event.requestContext?.requestId);
      if (result.statusCode < 500) opts.metrics.count('ClientErrors');
    }
    const cors = corsHeaders(opts.corsOrigins, origin);
    if (cors.vary && result.headers.vary) cors.vary = `${result.headers.vary}, ${cors.vary}`;
    Object.assign(result.headers, cors);
    return result;
  };
}
