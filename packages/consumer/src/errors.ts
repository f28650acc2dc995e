/** Base of the consumer's own errors. */
export class ConsumerError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConsumerError';
    this.code = code;
  }
}
