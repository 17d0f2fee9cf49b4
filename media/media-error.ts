/** Base class of every error the media core raises or reports. */
export class MediaError extends Error {
  override readonly name: string = 'MediaError';
  /** True when trying again (with the next input) can succeed. */
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/**
 * Corrupt or unexpected input bytes. Never thrown out of a streaming parser: reported
 * (onInputError) and counted, and the parser resyncs (video at the next IDR).
 */
export class MediaInputError extends MediaError {
  override readonly name = 'MediaInputError';
  /** Input byte offset (of that elementary stream) near where the problem was seen. */
  readonly offset: number;
  /** Bytes dropped because of this problem (may grow after the report while resyncing). */
  readonly droppedBytes: number;
  constructor(message: string, options: { offset: number; droppedBytes?: number; cause?: unknown }) {
    super(message, { cause: options.cause, retryable: true });
    this.offset = options.offset;
    this.droppedBytes = options.droppedBytes ?? 0;
  }
}

/**
 * A stream camrec cannot turn into correct HLS (B-frames, no frame rate, interlaced,
 * ...). Thrown: more input of the same kind cannot fix it; the message says what to change.
 */
export class UnsupportedStreamError extends MediaError {
  override readonly name = 'UnsupportedStreamError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause, retryable: false });
  }
}

/** Bad key / IV / arguments given to a media function by its caller. */
export class MediaArgumentError extends MediaError {
  override readonly name = 'MediaArgumentError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause, retryable: false });
  }
}
