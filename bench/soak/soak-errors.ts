/** Base error of the soak (bench/soak). */
export class SoakError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SoakError';
  }
}

/** Bad command-line arguments: says which one and what is allowed. */
export class SoakArgsError extends SoakError {
  constructor(message: string) {
    super(message);
    this.name = 'SoakArgsError';
  }
}

/** The soak could not set up or drive the stack (not a finding about the system under test). */
export class SoakHarnessError extends SoakError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SoakHarnessError';
  }
}
