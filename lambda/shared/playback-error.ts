/**
 * The cloud side's errors. A PlaybackError carries the HTTP status and a stable `code`
 * the client can branch on; its message says what was wrong and what to do. Anything
 * that is not a PlaybackError is ours (a 500 with no detail in the answer).
 */
export class PlaybackError extends Error {
  override readonly name: string = 'PlaybackError';
  readonly statusCode: number;
  readonly code: string;
  readonly retryable: boolean;
  readonly headers: Record<string, string>;
  constructor(statusCode: number, code: string, message: string, options?: { cause?: unknown; retryable?: boolean; headers?: Record<string, string> }) {
    super(message, options);
    this.statusCode = statusCode;
    this.code = code;
    this.retryable = options?.retryable ?? false;
    this.headers = options?.headers ?? {};
  }
}

export class BadRequestError extends PlaybackError {
  override readonly name: string = 'BadRequestError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(400, code, message, options);
  }
}

export class ForbiddenError extends PlaybackError {
  override readonly name: string = 'ForbiddenError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(403, code, message, options);
  }
}

export class NotFoundError extends PlaybackError {
  override readonly name: string = 'NotFoundError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(404, code, message, options);
  }
}

export class MethodNotAllowedError extends PlaybackError {
  override readonly name: string = 'MethodNotAllowedError';
  constructor(method: string, allowed: readonly string[]) {
    super(405, 'method_not_allowed', `${method} is not allowed here: use ${allowed.join(' or ')}`, { headers: { allow: allowed.join(', ') } });
  }
}

/** Configuration missing or wrong at cold start: the deployment's fault, thrown before any request. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
