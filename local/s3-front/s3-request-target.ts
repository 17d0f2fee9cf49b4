import type { IncomingMessage } from 'node:http';
import { SigV4Failure } from '../auth/sigv4-verify.ts';
import { S3Action, type S3ActionName } from './device-policy.ts';

/** Query parameters of a presigned URL (they authenticate; they are not part of the request). */
export const PRESIGN_QUERY = /^X-Amz-(Algorithm|Credential|Date|Expires|SignedHeaders|Signature|Security-Token)$/i;

/** What an S3 request reaches and does. */
export interface Target {
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  readonly action: S3ActionName;
  readonly isCopy: boolean;
}

/**
 * Splits a request target into bucket and key exactly as S3 reads it: the raw path is
 * split at the first `/` after the bucket and percent-decoded once. No WHATWG URL
 * parsing: that turns `\` into `/` and resolves `..`, so the key checked would not be
 * the key stored.
 */
export function splitS3Path(url: string): { bucket: string | undefined; key: string | undefined; query: string } {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const m = /^\/([^/]*)(?:\/(.*))?$/s.exec(rawPath);
  if (!m) throw new SigV4Failure('MALFORMED', `request target ${JSON.stringify(rawPath.slice(0, 100))} does not start with /`);
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new SigV4Failure('MALFORMED', 'the request path is not valid percent-encoding');
    }
  };
  return { bucket: m[1] ? decode(m[1]) : undefined, key: m[2] ? decode(m[2]) : undefined, query };
}

/** The upstream path for a bucket and key: each key byte that is not unreserved is percent-encoded, `/` kept. */
export function s3ObjectPath(bucket: string, key: string | undefined): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `/${enc(bucket)}${key === undefined ? '' : `/${key.split('/').map(enc).join('/')}`}`;
}

/** What an S3 REST request does, by method, path (`/{bucket}/{key}`) and sub-resource. */
export function classifyS3Request(method: string, url: string, headers: IncomingMessage['headers']): Target {
  const { bucket, key } = splitS3Path(url);
  const u = new URL(`http://local/?${splitS3Path(url).query}`);
  const subresource = [...u.searchParams.keys()].filter((k) => !PRESIGN_QUERY.test(k) && !k.startsWith('x-id') && !k.startsWith('response-'));
  const isCopy = headers['x-amz-copy-source'] !== undefined;
  let action: S3ActionName = S3Action.OTHER;
  if (bucket && key && subresource.every((s) => s === 'uploadId' || s === 'partNumber')) {
    if (method === 'PUT') action = S3Action.PUT_OBJECT;
    else if (method === 'GET' || method === 'HEAD') action = subresource.length ? S3Action.OTHER : S3Action.GET_OBJECT;
    else if (method === 'DELETE') action = S3Action.DELETE_OBJECT;
  } else if (
    bucket &&
    !key &&
    (method === 'GET' || method === 'HEAD') &&
    subresource.every((s) =>
      ['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'marker', 'encoding-type', 'fetch-owner'].includes(s),
    )
  ) {
    action = S3Action.LIST_BUCKET;
  }
  return { bucket, key, action, isCopy };
}

/** The query without the presign parameters (s3rver gets the request unauthenticated). */
export function stripPresignQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((p) => p && !PRESIGN_QUERY.test(decodeURIComponent(p.split('=')[0]!)));
  return kept.length ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}
