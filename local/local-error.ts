/** Base class of every error local mode raises (emulators, IoT stand-in, S3 front, CLI). */
export class LocalError extends Error {
  override name = 'LocalError';
  /** Whether trying the same thing again later may work. */
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** A local server could not start (port taken, bad certificate, missing file). */
export class LocalStartError extends LocalError {
  override name = 'LocalStartError';
}

/** Bad command-line input or configuration. */
export class LocalUsageError extends LocalError {
  override name = 'LocalUsageError';
}
