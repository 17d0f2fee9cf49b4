/**
 * The agent's error family: one base class, one subclass per kind of failure. Each
 * carries `retryable` so the uploader and credential provider decide in one place.
 */
export class AgentError extends Error {
  override readonly name: string = 'AgentError';
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** device.json does not validate; `problems` lists every one at once. */
export class ConfigError extends AgentError {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options: { cause?: unknown; file?: string } = {}) {
    super(
      `${options.file ? `${options.file}: ` : ''}the device configuration has ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}\nFix these and start the agent again.`,
      { cause: options.cause },
    );
    this.problems = problems;
  }
}

/** The IoT credential provider could not be reached or answered something unusable. */
export class CredentialsError extends AgentError {
  override readonly name = 'CredentialsError';
  readonly statusCode: number | undefined;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean; statusCode?: number } = {}) {
    super(message, options);
    this.statusCode = options.statusCode;
  }
}

/**
 * What went wrong with a PUT, for the log, the status and the retry delay. Whatever the
 * kind, the object is kept and retried: a segment leaves the camera only when S3 confirmed it.
 * - transient: network, timeouts, 5xx, throttling, clock skew;
 * - credentials: S3 refused the credentials (they are fetched again first), or there are none yet;
 * - conflict: 409 ConditionalRequestConflict, a concurrent conditional write; AWS says retry;
 * - configuration: the device's settings or the IAM policy are wrong (wrong bucket, region,
 *   endpoint, permissions): nothing lands until someone fixes them, so it is logged as an error
 *   and shown in the status, and the objects wait;
 * - rejected: any other 4xx for this request; kept and retried too (the cap of the spool
 *   bounds what waits), and logged as an error.
 */
export const UploadProblem = {
  TRANSIENT: 'transient',
  CREDENTIALS: 'credentials',
  CONFLICT: 'conflict',
  CONFIGURATION: 'configuration',
  REJECTED: 'rejected',
} as const;
export type UploadProblem = (typeof UploadProblem)[keyof typeof UploadProblem];

/** A PUT to S3 failed; `retryable` says whether the same request may be tried again. */
export class UploadError extends AgentError {
  override readonly name = 'UploadError';
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean; statusCode?: number; code?: string } = {}) {
    super(message, options);
    this.statusCode = options.statusCode;
    this.code = options.code;
  }
}

/**
 * A spool entry could not be written or read back intact. `corrupt` is set only on proof
 * that the entry can never be read (bad magic or header, wrong length, checksum mismatch,
 * the file gone): only then may it be discarded. An I/O error (EIO, EMFILE, ENOMEM, ...)
 * leaves `corrupt` false: the entry is kept and read again later.
 */
export class SpoolError extends AgentError {
  override readonly name = 'SpoolError';
  readonly file: string | undefined;
  readonly corrupt: boolean;
  constructor(message: string, options: { cause?: unknown; file?: string; corrupt?: boolean } = {}) {
    super(message, options);
    this.file = options.file;
    this.corrupt = options.corrupt ?? false;
  }
}

/** A video/audio source failed to open, stalled or ended. */
export class SourceError extends AgentError {
  override readonly name = 'SourceError';
}

/** A control request was malformed (maps to HTTP 400). */
export class ControlError extends AgentError {
  override readonly name = 'ControlError';
}
