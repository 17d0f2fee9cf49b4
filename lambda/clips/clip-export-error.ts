/** Why an export failed, for the clip's error.json (the client sees code and message). */
export class ClipExportError extends Error {
  override readonly name = 'ClipExportError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
