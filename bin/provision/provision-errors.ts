/** Base error of `camrec provision`. `exitCode` is what the command returns. */
export class ProvisionError extends Error {
  override readonly name: string = 'ProvisionError';
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad command line; the message lists every problem. */
export class UsageError extends ProvisionError {
  override readonly name = 'UsageError';
  override readonly exitCode = 2;
}

/** The output folder exists already; provisioning never overwrites a camera's keys. */
export class OutputExistsError extends ProvisionError {
  override readonly name = 'OutputExistsError';
  constructor(readonly dir: string) {
    super(`${dir} already exists; camrec provision never overwrites a device's keys. Choose a new --out folder or remove this one.`);
  }
}

/** The stack is missing, not deployed, or lacks an output provisioning needs. */
export class StackOutputsError extends ProvisionError {
  override readonly name = 'StackOutputsError';
}

/** The thing exists already; provisioning refuses to take over (or delete) it. */
export class ThingExistsError extends ProvisionError {
  override readonly name = 'ThingExistsError';
  constructor(readonly thingName: string) {
    super(
      `IoT thing '${thingName}' already exists. Pick another --thing name, or delete it first (aws iot delete-thing --thing-name ${thingName}, after detaching its certificates).`,
    );
  }
}

/**
 * A step failed after AWS resources were created. `cleanedUp` says whether the command
 * removed them again; `leftBehind` lists what still exists, each with a command to remove it.
 */
export class ProvisionStepError extends ProvisionError {
  override readonly name = 'ProvisionStepError';
  constructor(
    readonly step: string,
    readonly leftBehind: readonly string[],
    options: { cause: unknown },
  ) {
    const cause = options.cause instanceof Error ? `${options.cause.name}: ${options.cause.message}` : String(options.cause);
    super(
      leftBehind.length
        ? `${step} failed (${cause}). Clean-up could not remove everything; remove these by hand:\n  ${leftBehind.join('\n  ')}`
        : `${step} failed (${cause}). Everything created so far was removed again; fix the cause and run the same command.`,
      options,
    );
  }
  get retryable(): boolean {
    return this.leftBehind.length === 0;
  }
}
