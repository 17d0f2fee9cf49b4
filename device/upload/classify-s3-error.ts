import { AgentError, UploadError, UploadProblem } from '../core/agent-errors.ts';

/** S3 error codes that mean "the credentials, not the request, are the problem": fetch new ones and retry. */
export const CREDENTIAL_ERROR_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidToken',
  'TokenRefreshRequired',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
]);
/** Throttling and transient service codes (retry with backoff). */
const TRANSIENT_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'OperationAborted',
  'TimeoutError',
  'AbortError',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Codes that name a wrong setting of the device or the deployment, and what to check for each. */
export const CONFIGURATION_HINTS: Readonly<Record<string, string>> = {
  AccessDenied:
    "the IoT role alias' IAM role must allow s3:PutObject on segments/{thingName}/*, keys/{thingName}/* and events/{thingName}/* of this bucket, " +
    'the bucket and region in device.json must be right, and the thing name must be the deviceId',
  NoSuchBucket: 'the bucket named in device.json does not exist: check `bucket` against the stack output BucketName',
  PermanentRedirect: 'the bucket is in another region, or the endpoint is wrong: check `region` (and s3.endpoint) in device.json against the stack',
  AuthorizationHeaderMalformed: "requests are signed for the wrong region: set `region` in device.json to the bucket's region",
  InvalidBucketName: 'the bucket name in device.json is not valid',
  AllAccessDisabled: 'all access to this bucket has been disabled by its owner',
  InvalidRegion: 'the region in device.json is wrong for this bucket',
  IllegalLocationConstraintException: 'the region in device.json is wrong for this bucket',
};

/** Kept for callers that name the policy hint. */
export const ACCESS_DENIED_HINT = `${CONFIGURATION_HINTS.AccessDenied}; the object is kept and retried`;

export interface ClassifiedUploadError extends UploadError {
  readonly credentialsRejected: boolean;
  readonly problem: UploadProblem;
}

/**
 * Maps an SDK/network error to an UploadError. Every answer is retryable: dropping a
 * recording because of a wrong setting, a conflict or a refusal would lose it silently,
 * and the only loss the agent allows is the spool-cap drop (counted and logged).
 */
export function classifyS3Error(err: unknown, objectKey: string): ClassifiedUploadError {
  const e = err as { name?: string; code?: string; Code?: string; $metadata?: { httpStatusCode?: number }; message?: string; cause?: { code?: string } };
  const status = e?.$metadata?.httpStatusCode;
  const code = e?.Code ?? e?.name ?? e?.code;
  const sysCode = e?.code ?? e?.cause?.code;
  // S3 refused the credentials themselves: fetch new ones before the retry.
  const credentialsRejected = code !== undefined && CREDENTIAL_ERROR_CODES.has(code);
  // No credentials to sign with (the IoT endpoint is down or refuses us).
  const noCredentials = err instanceof AgentError && err.name === 'CredentialsError';
  let problem: UploadProblem;
  if (credentialsRejected || noCredentials) problem = UploadProblem.CREDENTIALS;
  else if (code !== undefined && CONFIGURATION_HINTS[code] !== undefined) problem = UploadProblem.CONFIGURATION;
  else if (status === 409) problem = UploadProblem.CONFLICT;
  else if (
    (code !== undefined && TRANSIENT_CODES.has(code)) ||
    (sysCode !== undefined && NETWORK_CODES.has(sysCode)) ||
    status === undefined ||
    status >= 500 ||
    status === 429 ||
    status === 408
  )
    problem = UploadProblem.TRANSIENT;
  else if (status === 301 || status === 307 || status === 403 || status === 404) problem = UploadProblem.CONFIGURATION;
  else problem = UploadProblem.REJECTED;
  const what = status ? `S3 answered ${status}${code ? ` ${code}` : ''}` : `network error${sysCode || code ? ` ${sysCode ?? code}` : ''}`;
  const hint =
    problem === UploadProblem.CONFIGURATION
      ? ` (${CONFIGURATION_HINTS[code ?? ''] ?? 'check bucket, region and s3.endpoint in device.json and the device role'}; the object is kept and retried)`
      : '';
  const out = new UploadError(`PUT ${objectKey} failed: ${what}: ${e?.message ?? String(err)}${hint}`, {
    cause: err,
    retryable: true,
    statusCode: status,
    code,
  });
  return Object.assign(out, { credentialsRejected, problem });
}
