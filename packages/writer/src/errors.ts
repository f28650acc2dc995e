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
  constructor(message: string, cause?: unknown) {
    super('RETRYABLE_WRITE', message, { cause });
    this.name = 'RetryableWriteError';
  }
}
