/**
 * Errors a user can fix: bad input, bad configuration, a missing file. The CLI maps them to exit code 2
 * and the API to 4xx. `code` is stable (scripts may match on it); `hint` says how to fix it.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Failures of the world: a host unreachable, a feed download down, a database gone. Retryable; the CLI maps
 * them to exit code 3 and the API to 5xx.
 */
export class OperationalError extends Error {
  override readonly name = 'OperationalError';
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for errors that are expected and carry advice, as opposed to bugs. */
export function isKnownError(e: unknown): e is UserError | OperationalError {
  return e instanceof UserError || e instanceof OperationalError;
}
