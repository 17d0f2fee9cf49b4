import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * AWS Signature Version 4 verification (header and presigned-query forms), as pure
 * functions over the request as it arrived on the wire. S3 signs the path exactly as
 * sent (already URI-encoded once, no normalisation); other services such as execute-api
 * sign it escaped once more. Used by the local S3 front and the local API's IAM routes.
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential={akid}/{yyyymmdd}/{region}/{service}/aws4_request,
 *                  SignedHeaders={h1;h2;...}, Signature={64 hex}
 *   string to sign = "AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{hex sha256(canonical request)}"
 */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** S3 refuses requests whose time differs from its own by more than 15 minutes. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** Presigned URLs last at most 7 days. */
export const MAX_PRESIGN_SECONDS = 604_800;

export interface WireRequest {
  readonly method: string;
  /** The request target as received: path and query, still encoded. */
  readonly url: string;
  /** Header names lower-case; repeated headers as arrays (node's `IncomingMessage.headers`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The body, when already read. Services other than S3 sign the body's SHA-256 without
   * sending it in x-amz-content-sha256 (browsers don't), so it is computed from this.
   */
  readonly body?: Uint8Array;
}

export interface ParsedAuth {
  readonly form: 'header' | 'query';
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** `YYYYMMDDTHHMMSSZ` */
  readonly amzDate: string;
  /** The payload hash the signature covers. */
  readonly payloadHash: string;
  readonly securityToken: string | undefined;
  /** Presigned only. */
  readonly expiresSeconds: number | undefined;
}

/** S3's error codes for authentication problems, with their HTTP status. */
export const AuthFailure = {
  MISSING: { code: 'AccessDenied', status: 403 },
  MALFORMED: { code: 'AuthorizationHeaderMalformed', status: 400 },
  QUERY_MALFORMED: { code: 'AuthorizationQueryParametersError', status: 400 },
  UNKNOWN_KEY: { code: 'InvalidAccessKeyId', status: 403 },
  BAD_SIGNATURE: { code: 'SignatureDoesNotMatch', status: 403 },
  BAD_TOKEN: { code: 'InvalidToken', status: 400 },
  EXPIRED_TOKEN: { code: 'ExpiredToken', status: 400 },
  SKEWED: { code: 'RequestTimeTooSkewed', status: 403 },
  PRESIGN_EXPIRED: { code: 'AccessDenied', status: 403 },
  /** Credential scope for another date, region or service (S3: 400; API Gateway answers 403). */
  WRONG_SCOPE: { code: 'AuthorizationHeaderMalformed', status: 400 },
} as const;
export type AuthFailureKind = keyof typeof AuthFailure;

export class SigV4Failure extends Error {
  override name = 'SigV4Failure';
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
  ) {
    super(message);
  }
}

const header1 = (h: WireRequest['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ escaped. */
export const sigv4Encode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function splitUrl(url: string): { path: string; query: [string, string][] } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const raw = q < 0 ? '' : url.slice(q + 1);
  const query: [string, string][] = [];
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    query.push([decodeURIComponent(k.replace(/\+/g, '%20')), decodeURIComponent(v.replace(/\+/g, '%20'))]);
  }
  return { path: path || '/', query };
}

const CREDENTIAL_RE = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;
const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function amzDateToMs(amzDate: string): number | undefined {
  const m = AMZ_DATE_RE.exec(amzDate);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** Reads the signature parts of a request, or undefined when it carries none (anonymous). */
export function parseAuth(req: WireRequest): ParsedAuth | undefined {
  const auth = header1(req.headers, 'authorization');
  const { query } = splitUrl(req.url);
  const q = new Map(query);
  if (auth) {
    if (!auth.startsWith(`${SIGV4_ALGORITHM} `)) throw new SigV4Failure('MALFORMED', `only ${SIGV4_ALGORITHM} signatures are accepted`);
    const fields = new Map<string, string>();
    for (const part of auth.slice(SIGV4_ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const cred = CREDENTIAL_RE.exec(fields.get('Credential') ?? '');
    const signedHeaders = fields.get('SignedHeaders');
    const signature = fields.get('Signature');
    const amzDate = header1(req.headers, 'x-amz-date');
    if (!cred || !signedHeaders || !signature || !amzDate) {
      throw new SigV4Failure('MALFORMED', 'the Authorization header needs Credential, SignedHeaders and Signature, and the request an x-amz-date header');
    }
    return {
      form: 'header',
      accessKeyId: cred[1]!,
      date: cred[2]!,
      region: cred[3]!,
      service: cred[4]!,
      signedHeaders: signedHeaders.split(';'),
      signature,
      amzDate,
      payloadHash:
        header1(req.headers, 'x-amz-content-sha256') ??
        createHash('sha256')
          .update(req.body ?? new Uint8Array())
          .digest('hex'),
      securityToken: header1(req.headers, 'x-amz-security-token'),
      expiresSeconds: undefined,
    };
  }
  if (q.has('X-Amz-Algorithm')) {
    const cred = CREDENTIAL_RE.exec(q.get('X-Amz-Credential') ?? '');
    const amzDate = q.get('X-Amz-Date');
    const signedHeaders = q.get('X-Amz-SignedHeaders');
    const signature = q.get('X-Amz-Signature');
    const expires = Number(q.get('X-Amz-Expires'));
    if (
      q.get('X-Amz-Algorithm') !== SIGV4_ALGORITHM ||
      !cred ||
      !amzDate ||
      !signedHeaders ||
      !signature ||
      !Number.isInteger(expires) ||
      expires < 1 ||
      expires > MAX_PRESIGN_SECONDS
    ) {
      throw new SigV4Failure(
        'QUERY_MALFORMED',
        `a presigned URL needs X-Amz-Algorithm=${SIGV4_ALGORITHM}, X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Signature and X-Amz-Expires from 1 to ${MAX_PRESIGN_SECONDS}`,
      );
    }
    return {
      form: 'query',
      accessKeyId: cred[1]!,
      date: cred[2]!,
      region: cred[3]!,
      service: cred[4]!,
      signedHeaders: signedHeaders.split(';'),
      signature,
      amzDate,
      payloadHash: UNSIGNED_PAYLOAD,
      securityToken: q.get('X-Amz-Security-Token'),
      expiresSeconds: expires,
    };
  }
  return undefined;
}

/** The canonical request (SigV4 task 1) for the request as received. */
export function canonicalRequest(req: WireRequest, auth: ParsedAuth): string {
  const { path, query } = splitUrl(req.url);
  const canonicalQuery = query
    .filter(([k]) => !(auth.form === 'query' && k === 'X-Amz-Signature'))
    .map(([k, v]) => [sigv4Encode(k), sigv4Encode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = auth.signedHeaders.map((name) => `${name}:${(header1(req.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  // S3 signs the path as sent; every other service (execute-api) escapes it once more.
  const canonicalPath = auth.service === 's3' ? path : path.split('/').map(sigv4Encode).join('/');
  return [req.method.toUpperCase(), canonicalPath, canonicalQuery, canonicalHeaders, auth.signedHeaders.join(';'), auth.payloadHash].join('\n');
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

export function expectedSignature(req: WireRequest, auth: ParsedAuth, secretAccessKey: string): string {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [SIGV4_ALGORITHM, auth.amzDate, scope, createHash('sha256').update(canonicalRequest(req, auth), 'utf8').digest('hex')].join('\n');
  const kDate = hmac(`AWS4${secretAccessKey}`, auth.date);
  const kSigning = hmac(hmac(hmac(kDate, auth.region), auth.service), 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
}

export interface KnownCredentials {
  readonly secretAccessKey: string;
  /** Empty for long-lived keys. */
  readonly sessionToken: string;
  readonly expiresAtMs: number;
}

/** The credential scope a service accepts: its own region and signing name. */
export interface ExpectedScope {
  readonly region: string;
  /** Signing name: `s3`, `execute-api`. */
  readonly service: string;
}

/**
 * Credential scope `{yyyymmdd}/{region}/{service}/aws4_request`: the date must be the
 * signing date (first 8 characters of x-amz-date), region and service the receiver's.
 */
export function checkScope(auth: ParsedAuth, expected: ExpectedScope): void {
  const problems: string[] = [];
  if (auth.date !== auth.amzDate.slice(0, 8)) problems.push(`the credential date ${auth.date} is not the signing date ${auth.amzDate.slice(0, 8)}`);
  if (auth.region !== expected.region) problems.push(`the region '${auth.region}' is wrong; expecting '${expected.region}'`);
  if (auth.service !== expected.service) problems.push(`the service '${auth.service}' is wrong; expecting '${expected.service}'`);
  if (problems.length > 0)
    throw new SigV4Failure(
      'WRONG_SCOPE',
      `credential scope ${auth.date}/${auth.region}/${auth.service}: ${problems.join('; ')} (sign for region ${expected.region}, service ${expected.service})`,
    );
}

/**
 * Checks a request's credential scope (when `expected` is given), signature, token and
 * times. Returns the access key id on success, undefined for an anonymous request;
 * throws SigV4Failure naming what was wrong.
 */
export function verifySigV4(
  req: WireRequest,
  lookup: (accessKeyId: string) => KnownCredentials | undefined,
  nowMs: number,
  expected?: ExpectedScope,
): string | undefined {
  const auth = parseAuth(req);
  if (!auth) return undefined;
  if (expected) checkScope(auth, expected);
  const creds = lookup(auth.accessKeyId);
  if (!creds) throw new SigV4Failure('UNKNOWN_KEY', `the access key id ${auth.accessKeyId} does not exist in our records`);
  if (!auth.signedHeaders.includes('host')) throw new SigV4Failure(auth.form === 'header' ? 'MALFORMED' : 'QUERY_MALFORMED', 'the host header must be signed');
  const given = Buffer.from(auth.signature, 'utf8');
  const wanted = Buffer.from(expectedSignature(req, auth, creds.secretAccessKey), 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new SigV4Failure('BAD_SIGNATURE', 'the request signature we calculated does not match the signature you provided; check your key and signing method');
  }
  if (req.body && /^[0-9a-f]{64}$/.test(auth.payloadHash) && createHash('sha256').update(req.body).digest('hex') !== auth.payloadHash) {
    throw new SigV4Failure('BAD_SIGNATURE', 'the body does not match the payload hash that was signed');
  }
  if (creds.sessionToken && auth.securityToken !== creds.sessionToken) {
    throw new SigV4Failure('BAD_TOKEN', 'the provided token is malformed or otherwise invalid (send the session token that came with these credentials)');
  }
  if (nowMs >= creds.expiresAtMs) throw new SigV4Failure('EXPIRED_TOKEN', 'the provided token has expired; fetch fresh credentials');
  const signedAtMs = amzDateToMs(auth.amzDate);
  if (signedAtMs === undefined) throw new SigV4Failure('MALFORMED', `x-amz-date ${auth.amzDate} is not YYYYMMDDTHHMMSSZ`);
  if (auth.form === 'header' && Math.abs(nowMs - signedAtMs) > MAX_CLOCK_SKEW_MS) {
    throw new SigV4Failure('SKEWED', 'the difference between the request time and the current time is too large');
  }
  if (auth.form === 'query' && nowMs > signedAtMs + auth.expiresSeconds! * 1000) throw new SigV4Failure('PRESIGN_EXPIRED', 'Request has expired');
  return auth.accessKeyId;
}
