import { AgentError, UploadError } from '../agent/agent-errors.ts';

/** S3 error codes that mean "the credentials, not the request, are the problem": fetch new ones and retry. */
export const CREDENTIAL_ERROR_CODES = new Set([
  'ExpiredToken', 'ExpiredTokenException', 'InvalidToken', 'TokenRefreshRequired', 'InvalidAccessKeyId', 'SignatureDoesNotMatch',
]);
/** Throttling and transient service codes (retry with backoff). */
const RETRYABLE_CODES = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed', 'InternalError', 'ServiceUnavailable',
  'RequestLimitExceeded', 'TooManyRequestsException', 'OperationAborted', 'TimeoutError', 'AbortError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** What to check when S3 refuses a device's PUT: almost always the IAM policy, never the segment. */
export const ACCESS_DENIED_HINT =
  "the IoT role alias' IAM role must allow s3:PutObject on segments/{thingName}/*, keys/{thingName}/* and events/{thingName}/* of this bucket, " +
  'the bucket and region in device.json must be right, and the thing name must be the deviceId; the object is kept and retried';

export interface ClassifiedUploadError extends UploadError {
  readonly credentialsRejected: boolean;
}

/**
 * Maps an SDK/network error to an UploadError. Retryable: network errors, timeouts,
 * 5xx, 429, throttling, clock skew, credential errors (after a refresh), and having no
 * credentials at all. Not
 * retryable: other 4xx (the request itself is wrong; retrying cannot help). 403
 * AccessDenied is retried too: a policy fix or new credentials may cure it, and
 * dropping a recording for a misconfiguration would be worse.
 */
export function classifyS3Error(err: unknown, objectKey: string): ClassifiedUploadError {
  const e = err as { name?: string; code?: string; Code?: string; $metadata?: { httpStatusCode?: number }; message?: string; cause?: { code?: string } };
  const status = e?.$metadata?.httpStatusCode;
  const code = e?.Code ?? e?.name ?? e?.code;
  const sysCode = e?.code ?? e?.cause?.code;
  // S3 refused the credentials themselves: fetch new ones before the retry.
  const credentialsRejected = code !== undefined && CREDENTIAL_ERROR_CODES.has(code);
  // No credentials to sign with (the IoT endpoint is down or refuses us): keep the segment
  // and retry; dropping recordings over a fixable misconfiguration would be worse.
  const noCredentials = err instanceof AgentError && err.name === 'CredentialsError';
  const retryable =
    credentialsRejected ||
    noCredentials ||
    (err instanceof AgentError && err.retryable) ||
    (code !== undefined && RETRYABLE_CODES.has(code)) ||
    (sysCode !== undefined && NETWORK_CODES.has(sysCode)) ||
    status === undefined ||
    status >= 500 ||
    status === 429 ||
    status === 408 ||
    status === 403;
  const what = status ? `S3 answered ${status}${code ? ` ${code}` : ''}` : `network error${sysCode || code ? ` ${sysCode ?? code}` : ''}`;
  const hint = code === 'AccessDenied' ? ` (${ACCESS_DENIED_HINT})` : '';
  const out = new UploadError(`PUT ${objectKey} failed: ${what}: ${e?.message ?? String(err)}${hint}`, { cause: err, retryable, statusCode: status, code });
  return Object.assign(out, { credentialsRejected });
}
