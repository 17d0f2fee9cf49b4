/** Base error of the infrastructure code (lib/): bad construct props, bad app context. */
export class InfraError extends Error {
  override readonly name: string = 'InfraError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One or more construct props are out of range; `problems` lists every one. */
export class InvalidPropsError extends InfraError {
  override readonly name = 'InvalidPropsError';
  constructor(
    readonly construct: string,
    readonly problems: readonly string[],
  ) {
    super(`${construct}: ${problems.length} invalid prop(s):\n  - ${problems.join('\n  - ')}`);
  }
}
