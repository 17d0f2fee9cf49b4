import { isIP } from 'node:net';

/** Where a PutObject goes: the pieces of the request line a signer and node:http need. */
export interface S3ObjectTarget {
  readonly protocol: 'https:' | 'http:';
  readonly hostname: string;
  /** Empty for the scheme's default port. */
  readonly port: string;
  /** Already URI-encoded (S3 is signed over the encoded path, not encoded again). */
  readonly path: string;
}

export interface S3AddressOptions {
  readonly bucket: string;
  readonly region: string;
  /** An S3-compatible endpoint URL (LAN store, local S3 front). @default `https://s3.{region}.amazonaws.com` */
  readonly endpoint?: string;
  /** `{endpoint}/{bucket}/{key}` instead of `{bucket}.{host}/{key}`. @default false */
  readonly forcePathStyle?: boolean;
}

/** The AWS DNS suffix per partition (region prefix). */
const AWS_DNS_SUFFIX = { 'cn-': 'amazonaws.com.cn', default: 'amazonaws.com' } as const;

/**
 * Virtual-hosted style (`{bucket}.s3.{region}.amazonaws.com/{key}`) for real AWS, path
 * style when asked, when the endpoint is an IP address or localhost (no names under it),
 * or when the bucket name has dots over https (a dotted host would not match S3's
 * wildcard TLS certificate). The SDK's endpoint rules fall back the same way.
 */
export function s3ObjectTarget(o: S3AddressOptions, objectKey: string): S3ObjectTarget {
  const suffix = o.region.startsWith('cn-') ? AWS_DNS_SUFFIX['cn-'] : AWS_DNS_SUFFIX.default;
  const base = new URL(o.endpoint ?? `https://s3.${o.region}.${suffix}`);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError(`S3 endpoint ${o.endpoint} must be an http(s) URL, e.g. https://s3.${o.region}.amazonaws.com`);
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  const key = encodeS3Key(objectKey);
  const host = base.hostname.replace(/^\[|\]$/g, '');
  const pathStyle = o.forcePathStyle === true || isIP(host) !== 0 || host === 'localhost' || (o.bucket.includes('.') && base.protocol === 'https:');
  return pathStyle
    ? { protocol: base.protocol, hostname: base.hostname, port: base.port, path: `${basePath}/${encodeS3Key(o.bucket)}/${key}` }
    : { protocol: base.protocol, hostname: `${o.bucket}.${base.hostname}`, port: base.port, path: `${basePath}/${key}` };
}

/** RFC 3986 percent-encoding of each `/`-separated part (what S3 canonicalises): also `!'()*`. */
export function encodeS3Key(key: string): string {
  return key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** `host` header value: hostname plus a non-default port. */
export function hostHeader(t: S3ObjectTarget): string {
  return t.port ? `${t.hostname}:${t.port}` : t.hostname;
}
