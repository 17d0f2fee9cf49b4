/** Base error of the compactor. None of them deletes anything: the hot copies stay until a run succeeds. */
export class PackerError extends Error {
  override readonly name: string = 'PackerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The store says it holds something other than what was sent (size, part or object checksum). */
export class PackIntegrityError extends PackerError {
  override readonly name: string = 'PackIntegrityError';
}

/** Another run indexed a different pack under the number this run chose; the next run starts over. */
export class PackConflictError extends PackerError {
  override readonly name: string = 'PackConflictError';
}
