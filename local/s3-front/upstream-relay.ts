import { request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { CHECKSUM_SHA256_HEADER } from '../../contract/index.ts';
import { FRONT_CHECKSUM_HEADER } from './front-checksum.ts';

/** Headers that describe how the caller authenticated or framed the body; s3rver gets neither. */
const STRIPPED_HEADERS = new Set([
  'authorization',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'x-amz-date',
  'x-amz-decoded-content-length',
  'x-amz-trailer',
  'x-amz-sdk-checksum-algorithm',
  'content-encoding',
  'transfer-encoding',
  'expect',
  'host',
  'connection',
  'if-none-match',
]);

/**
 * CORS on every answer of the front. '*' rather than the echoed origin: after the playback
 * API's cross-origin 302 the browser sends `Origin: null`, and presigned URLs carry no
 * cookies anyway.
 */
export const corsHeaders = (_req: IncomingMessage): OutgoingHttpHeaders => ({
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'ETag, x-amz-request-id, Content-Length, Content-Range',
});

/**
 * Sends a request on to s3rver (`upstream`) without the caller's authentication and body
 * framing, and relays the answer to `res` with CORS and, when the caller asked with
 * `x-amz-checksum-mode: ENABLED`, the SHA-256 checksum the front kept beside the object.
 * Without `res` it is a probe: no caller headers go up, and only the status comes back.
 */
export const relayToUpstream = (
  upstream: URL,
  req: IncomingMessage,
  res: ServerResponse | undefined,
  path: string,
  method: string,
  body: Buffer | undefined,
  extra: OutgoingHttpHeaders = {},
): Promise<{ status: number }> =>
  new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = {};
    // A probe (no response to relay) sends no caller headers: they describe the caller's body.
    if (res) {
      for (const [k, v] of Object.entries(req.headers)) {
        if (!STRIPPED_HEADERS.has(k) && !k.startsWith('x-amz-checksum-') && k !== FRONT_CHECKSUM_HEADER && k !== 'content-length' && v !== undefined)
          headers[k] = v;
      }
    }
    Object.assign(headers, extra);
    if (body) headers['content-length'] = body.length;
    const up = request({ host: upstream.hostname, port: upstream.port, method, path, headers }, (upRes) => {
      if (!res) {
        upRes.resume();
        upRes.on('end', () => resolve({ status: upRes.statusCode ?? 502 }));
        return;
      }
      const { [FRONT_CHECKSUM_HEADER]: kept, ...upHeaders } = upRes.headers;
      const outHeaders: OutgoingHttpHeaders = { ...upHeaders, ...corsHeaders(req) };
      if (kept && String(req.headers['x-amz-checksum-mode']).toUpperCase() === 'ENABLED') outHeaders[CHECKSUM_SHA256_HEADER] = kept;
      res.writeHead(upRes.statusCode ?? 502, outHeaders);
      upRes.pipe(res);
      upRes.on('end', () => resolve({ status: upRes.statusCode ?? 502 }));
      upRes.on('error', reject);
    });
    up.on('error', reject);
    up.end(body);
  });
