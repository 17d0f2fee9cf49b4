/** Base error of the cost model's command line and inputs. */
export class CostModelError extends Error {
  override readonly name: string = 'CostModelError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A command-line flag is unknown or its value is out of range. */
export class CostArgsError extends CostModelError {
  override readonly name = 'CostArgsError';
}

/** A request-counts file is missing, not JSON, or not in the expected shape. */
export class RequestCountsError extends CostModelError {
  override readonly name = 'RequestCountsError';
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
