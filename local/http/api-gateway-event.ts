import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * Turns a node:http request into the event API Gateway HTTP API (payload format 2.0)
 * hands a Lambda function, so local mode runs the same handlers:
 *
 *   rawPath, rawQueryString, headers (lower-case, repeated values joined by ','),
 *   queryStringParameters (repeated values joined by ','), cookies, body
 *   (base64 unless the content type is text), requestContext.http.{method,path,sourceIp,...}
 */
export interface EventContext {
  /** What API Gateway would put in requestContext.domainName, e.g. 127.0.0.1:8080 */
  readonly domainName: string;
  readonly requestId: string;
  readonly nowMs: number;
}

const TEXT_TYPE_RE = /^(text\/|application\/(json|xml|x-www-form-urlencoded|vnd\.apple\.mpegurl))/i;

export function toApiGatewayEvent(req: IncomingMessage, body: Buffer, ctx: EventContext): APIGatewayProxyEventV2 {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQueryString = q < 0 ? '' : url.slice(q + 1);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k === 'cookie') continue;
    headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  // API Gateway adds these; handlers build absolute URLs from them.
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQueryString)) query[k] = k in query ? `${query[k]},${v}` : v;
  const cookies = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .filter(Boolean);
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPE_RE.test(contentType);
  const method = (req.method ?? 'GET').toUpperCase();
  let decodedPath = rawPath;
  try {
    decodedPath = decodeURIComponent(rawPath);
  } catch {
    // API Gateway passes undecodable paths through; the handler refuses them.
  }
  const time = new Date(ctx.nowMs);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    cookies,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: ctx.domainName,
      domainPrefix: ctx.domainName.split('.')[0]!,
      http: {
        method,
        path: decodedPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: ctx.requestId,
      routeKey: '$default',
      stage: '$default',
      time: time.toUTCString(),
      timeEpoch: ctx.nowMs,
    },
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/** The structured result a handler returns (statusCode, headers, body, isBase64Encoded, cookies). */
export interface HandlerResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
}

/** Writes a handler result the way API Gateway does (base64 bodies decoded, cookies as Set-Cookie). */
export function writeHandlerResult(res: import('node:http').ServerResponse, result: HandlerResult, method: string): void {
  const body = result.body ? (result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8')) : Buffer.alloc(0);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  headers['content-length'] = String(body.length);
  res.writeHead(result.statusCode, headers);
  res.end(method === 'HEAD' ? undefined : body);
}
