/** Base of every error the writer raises. */
export class WriterError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WriterError';
    this.code = code;
  }
}

/** A write the service refused for now (throttling, a transient fault): worth trying again after a pause. */
export class RetryableWriteError extends WriterError {
  /**
   * True when the service may have stored the records anyway: the call timed out, its
   * connection dropped, or it failed as a whole with a server error. False when the
   * service surely did not (it throttled the call, or it was never reached).
   */
  readonly outcomeUnknown: boolean;
  constructor(message: string, cause?: unknown, options: { outcomeUnknown?: boolean } = {}) {
    super('RETRYABLE_WRITE', message, { cause });
    this.name = 'RetryableWriteError';
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}
