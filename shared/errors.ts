/**
 * An error caused by what the user supplied (a config file, a flag, a map): the CLI prints its message
 * alone, without a stack, and exits with code 2.
 */
export class UserInputError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserInputError';
  }
}
