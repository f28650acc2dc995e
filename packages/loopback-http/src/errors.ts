/** Base of every error this package raises; `code` is stable. */
export class LoopbackHttpError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LoopbackHttpError';
    this.code = code;
  }
}

/** A request body longer than the server takes: nothing past the cap was read. */
export class BodyTooLargeError extends LoopbackHttpError {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super('BODY_TOO_LARGE', `the request body is larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
    this.maxBytes = maxBytes;
  }
}
