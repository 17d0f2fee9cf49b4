// SigV4 (AWS4-HMAC-SHA256) request signing in the browser with WebCrypto, for the
// playback API's IAM routes (service execute-api). Signs host, x-amz-date and, with
// temporary credentials, x-amz-security-token; the payload hash is SHA-256 of the body.
const enc = new TextEncoder();
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
const sha256Hex = async (text) => hex(await crypto.subtle.digest('SHA-256', enc.encode(text)));
async function hmac(key, text) {
  const k = await crypto.subtle.importKey('raw', typeof key === 'string' ? enc.encode(key) : key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(text)));
}
/** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ escaped. */
export const sigv4Encode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `YYYYMMDDTHHMMSSZ` */
export const amzDate = (ms) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');

/**
 * Returns the headers to send with a request to `url` (absolute), signed with `creds`
 * ({accessKeyId, secretAccessKey, sessionToken?}) for `region`.
 */
export async function signHeaders({ method, url, body = '', creds, region, service = 'execute-api', nowMs = Date.now() }) {
  const u = new URL(url);
  const date = amzDate(nowMs);
  const day = date.slice(0, 8);
  const headers = { host: u.host, 'x-amz-date': date };
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalPath = u.pathname.split('/').map(sigv4Encode).join('/');
  const canonicalQuery = [...u.searchParams]
    .map(([k, v]) => [sigv4Encode(k), sigv4Encode(v)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    method,
    canonicalPath,
    canonicalQuery,
    names.map((n) => `${n}:${String(headers[n]).trim()}\n`).join(''),
    names.join(';'),
    await sha256Hex(body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, await sha256Hex(canonical)].join('\n');
  let key = await hmac(`AWS4${creds.secretAccessKey}`, day);
  key = await hmac(key, region);
  key = await hmac(key, service);
  key = await hmac(key, 'aws4_request');
  const signature = hex(await hmac(key, toSign));
  const out = {
    'x-amz-date': date,
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
  if (creds.sessionToken) out['x-amz-security-token'] = creds.sessionToken;
  return out;
}
