/** Raised when bytes or strings from outside do not fit a camrec contract. */
export class ContractError extends Error {
  override readonly name: string = 'ContractError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
